import {
  type AgreementResult,
  agreement,
  type CatchUpVoter,
  fromHex,
  peerIdFromOrigin,
  toHex,
} from '@alara/protocol'
import type { AlaraComponents } from '../components.js'
import type { HeldVote } from './state.js'

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

/**
 * The members (not this node) that voted on epoch r, as catch-up weighs them (DESIGN.md
 * "Catch-up"): trust, the digest `digestOf` reads from the vote (the pool's, or version
 * 2's held-commits digest; a vote without one is left out), and whether they were heard
 * by a catch-up or vote refresh that began at `heardSince` or later.
 */
export function catchUpVoters(
  c: Pick<AlaraComponents, 'state' | 'trust' | 'selfHex'>,
  r: number,
  digestOf: (vote: HeldVote) => Uint8Array | undefined,
  heardSince = Number.NEGATIVE_INFINITY,
): CatchUpVoter[] {
  const { state, trust, selfHex } = c
  const voters: CatchUpVoter[] = []
  for (const v of state.votes.votesOf(r)) {
    const digest = digestOf(v)
    if (v.originHex === selfHex || digest === undefined) continue
    const standing = trust.standing(v.originHex)
    if (!standing.member) continue
    voters.push({
      originHex: v.originHex,
      trust: standing.trust,
      digestHex: toHex(digest),
      heard: (state.caughtUp.get(v.originHex) ?? Number.NaN) >= heardSince,
    })
  }
  return voters
}
