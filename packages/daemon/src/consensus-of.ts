import { agreement } from '@alara/protocol'
import type { AlaraComponents } from './components.js'

/** Epoch r's consensus as this node sees it now (the detail of `consensus:changed`). */
export function consensusOf(
  c: Pick<AlaraComponents, 'state' | 'trust' | 'selfHex' | 'params' | 'now'>,
  r: number,
): { status: string; agreement: number } {
  const result = agreement({
    myDigest: c.state.replica.digest(r),
    votes: c.state.votes.votesOf(r),
    selfHex: c.selfHex,
    trustOf: (originHex) => c.trust.lookup(originHex, c.selfHex),
    closed: c.state.isClosed(r, c.now()),
    params: c.params,
  })
  return { status: result.status, agreement: result.agreement }
}
