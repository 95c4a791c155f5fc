import { type AgreementResult, agreement } from '@alara/protocol'
import type { AlaraComponents } from '../components.js'

/** Epoch r's agreement at this node: members' votes counted, strangers' listed. */
export function agreementAt(c: AlaraComponents, r: number): AgreementResult {
  return agreement({
    myDigest: c.state.replica.digest(r),
    votes: c.state.votes.votesOf(r),
    strangers: c.state.strangerVotes.votesOf(r),
    selfHex: c.selfHex,
    trustOf: (originHex) => c.trust.lookup(originHex, c.selfHex),
    isMember: (originHex) => c.trust.isMember(originHex),
    closed: c.state.isClosed(r, c.now()),
    params: c.params,
  })
}

/** Epoch r's consensus as this node sees it now (the detail of `consensus:changed`). */
export function consensusOf(c: AlaraComponents, r: number): { status: string; agreement: number } {
  const result = agreementAt(c, r)
  return { status: result.status, agreement: result.agreement }
}
