import type { AlaraComponents } from '../components.js'
import { agreementAt } from '../membership/membership-service.js'

/** Epoch r's consensus as this node sees it now (the detail of `consensus:changed`). */
export function consensusOf(c: AlaraComponents, r: number): { status: string; agreement: number } {
  const result = agreementAt(c, r)
  return { status: result.status, agreement: result.agreement }
}
