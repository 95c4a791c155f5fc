import {
  fromHex,
  lastClosedEpoch,
  oldestRetainedEpoch,
  peerIdFromOrigin,
  toHex,
} from '@alara/protocol'
import type { AlaraComponents } from '../../components.js'
import { agreementAt } from '../../node/consensus-view.js'
import type { EpochConsensus } from '../types.js'
import { sharedState } from './shared-beacon.js'

/** The consensus view: closed epochs, their votes and this node's agreement with them. */

/** Per origin: closed epochs it voted on, of which in agreement with me, and its newest. */
export function voteStatsByOrigin(
  c: AlaraComponents,
): Map<string, { voted: number; agreed: number; last: number }> {
  const out = new Map<string, { voted: number; agreed: number; last: number }>()
  for (const r of c.state.votes.epochs()) {
    if (!c.state.closed.has(r) && !c.state.replica.isFinal(r)) continue
    const mine = toHex(c.state.replica.digest(r))
    for (const vote of c.state.votes.votesOf(r)) {
      const s = out.get(vote.originHex) ?? { voted: 0, agreed: 0, last: r }
      s.voted++
      if (toHex(vote.digest) === mine) s.agreed++
      s.last = Math.max(s.last, r)
      out.set(vote.originHex, s)
    }
  }
  return out
}

/**
 * The newest `count` epochs this node has closed (or holds frozen), newest first. Bounded
 * by the retained window, never by the epoch clock (a fresh node's floor may still be 0).
 */
export function recentClosedEpochs(c: AlaraComponents, count: number): number[] {
  const nowMs = c.now()
  const last = lastClosedEpoch(nowMs, c.params)
  if (last === undefined) return []
  const out: number[] = []
  const oldest = Math.max(
    c.state.replica.oldestRetainedEpoch,
    oldestRetainedEpoch(c.state.currentEpoch(nowMs), c.params.retainEpochs),
  )
  for (let r = last; r >= oldest && out.length < count; r--)
    if (c.state.closed.has(r) || c.state.replica.isFinal(r) || c.state.votes.votesOf(r).length > 0)
      out.push(r)
  return out
}

/** Epoch r's consensus for the API: `agreementAt` (node/consensus-view.ts) mapped to peer ids. */
export function epochConsensus(c: AlaraComponents, r: number): EpochConsensus {
  const result = agreementAt(c, r)
  const peerOf = (hex: string): string =>
    hex === c.selfHex ? c.peerId.toString() : peerIdFromOrigin(fromHex(hex)).toString()
  return {
    epoch: r,
    status: result.status,
    agreement: result.agreement,
    digest: result.digest,
    count: c.state.replica.foldedCount(r),
    final: c.state.replica.isFinal(r),
    catchingUp: c.state.backfill.has(r),
    voters: result.voters.map((v) => ({
      peerId: peerOf(v.originHex),
      digest: v.digest,
      trust: v.trust,
      agrees: v.agrees,
      member: v.member,
      counted: v.counted,
    })),
    dissenters: result.dissenters.map((v) => ({
      peerId: peerOf(v.originHex),
      digest: v.digest,
      trust: v.trust,
    })),
    shared: sharedState(c, r),
  }
}

export function consensus(c: AlaraComponents, epochs: number): EpochConsensus[] {
  return recentClosedEpochs(c, epochs).map((r) => epochConsensus(c, r))
}
