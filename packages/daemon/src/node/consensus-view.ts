import { type AgreementResult, agreement, fromHex, peerIdFromOrigin, toHex } from '@alara/protocol'
import type { AlaraComponents } from '../components.js'

/**
 * The daemon's consensus view: what this node makes of the votes it holds. `agreementAt`
 * is the one reading (events, metrics and the API map its result); `askRepairIfDiffers`
 * the one rule that turns a differing vote into a repair.
 */

/** Epoch r's agreement at this node: members' votes counted, strangers' listed. */
export function agreementAt(c: AlaraComponents, r: number): AgreementResult {
  return agreement({
    myDigest: c.state.replica.digest(r),
    votes: c.state.votes.votesOf(r),
    strangers: c.state.strangerVotes.votesOf(r),
    selfHex: c.selfHex,
    trustOf: (originHex) => c.trust.lookup(originHex),
    isMember: (originHex) => c.trust.isMember(originHex),
    closed: c.state.isClosed(r, c.now()),
    params: c.params,
  })
}

/**
 * A member's vote for epoch r (closed here) that differs from this node's digest asks for
 * repair from it (`repair:needed`); repair asks only members whose counted vote differs
 * (docs/PROTOCOL.md, "Membership"). The caller checks that r is closed and not final.
 */
export function askRepairIfDiffers(
  c: AlaraComponents,
  r: number,
  vote: { originHex: string; digest: Uint8Array },
): void {
  if (vote.originHex === c.selfHex || !c.trust.isMember(vote.originHex)) return
  const digestHex = toHex(vote.digest)
  if (digestHex === toHex(c.state.replica.digest(r))) return
  c.events.emit('repair:needed', {
    epoch: r,
    peerId: peerIdFromOrigin(fromHex(vote.originHex)).toString(),
    digestHex,
  })
}
