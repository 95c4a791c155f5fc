import {
  encodeVote,
  encodeWithEvidence,
  fromHex,
  MAX_VOUCHERS,
  signVote,
  toHex,
  type VoucherEvidence,
  voteId,
} from '@alara/protocol'
import type { AlaraComponents } from '../components.js'
import type { GossipService } from '../p2p/gossip/gossip-service.js'

/**
 * This node's own votes: what it says of an epoch (digest, count, version 2's held
 * commits), signed, recorded, stored and gossiped with the evidence of what it admitted
 * after close. The epoch service decides when; this says what.
 */
export class OwnVotes {
  constructor(
    private readonly components: AlaraComponents,
    private readonly gossip: Pick<GossipService, 'publishVote'>,
  ) {}

  /** The vote still says what this node holds: the same digest and held commits. */
  saysAsVoted(r: number, voted: { digest: Uint8Array; commitsDigest?: Uint8Array }): boolean {
    const { state } = this.components
    if (toHex(voted.digest) !== toHex(state.replica.digest(r))) return false
    const held = this.heldCommits(r)
    return (
      (voted.commitsDigest === undefined ? '' : toHex(voted.commitsDigest)) ===
      (held === undefined ? '' : toHex(held.commitsDigest))
    )
  }

  /** Version 2: what this node's vote of r says of the commits it holds (none: nothing). */
  heldCommits(r: number): { commitsDigest: Uint8Array; commitCount: number } | undefined {
    const commits = this.components.state.beacons.ifAny(r)?.commits
    if (commits === undefined || commits.count === 0) return undefined
    return { commitsDigest: commits.heldDigest(), commitCount: commits.count }
  }

  /** Signs, records, stores and publishes this node's vote for epoch r. */
  async publish(r: number): Promise<void> {
    const { state, store, selfHex, params, privateKey, now } = this.components
    const replica = state.replica
    const count = replica.foldedCount(r)
    const commits = this.heldCommits(r)
    const vote = await signVote(privateKey, {
      ...commits,
      network: params.network,
      origin: fromHex(selfHex),
      epoch: r,
      digest: replica.digest(r),
      count,
      beacon: replica.beacon(r) ?? new Uint8Array(0),
      // strictly increasing per epoch, so a re-vote always replaces the previous one
      timestampMs: Math.max(now(), (state.votes.voteOf(r, selfHex)?.timestampMs ?? 0) + 1),
    })
    const encoded = encodeVote(vote)
    // the ids behind every digest this node voted stay known: BEHIND serves them
    const digestHex = toHex(vote.digest)
    const ids = replica.foldedIdsOf(r)
    // (a vote after the freeze, of a set caught up on, needs no book: final serves itself)
    if (!replica.isFinal(r)) {
      const book = state.admission.book(r)
      book.addVote(selfHex, digestHex, count, encoded)
      book.addIds(digestHex, ids)
    }
    state.votes.record({
      idHex: toHex(voteId(vote)),
      originHex: selfHex,
      epoch: r,
      digest: vote.digest,
      timestampMs: vote.timestampMs,
      count,
      encoded,
      ...(commits !== undefined ? { commitsDigest: commits.commitsDigest } : {}),
    })
    await store.putVote(r, selfHex, encoded)
    await this.gossip.publishVote(
      r,
      encodeWithEvidence(vote, ids, this.vouchersOf(r), params.maxVoteBytes),
    )
  }

  /**
   * The vouchers this node counted for what it admitted after close (DESIGN.md "Re-votes
   * carry their evidence"): for each such item its round's vouchers, distinct voters, the
   * latest-admitted items first, at most MAX_VOUCHERS.
   */
  private vouchersOf(r: number): VoucherEvidence[] {
    const { state, trust } = this.components
    const book = state.admission.bookIfAny(r)
    if (book === undefined) return []
    const out = new Map<string, VoucherEvidence>()
    const admitted = [...state.admission.admittedAfterClose(r)].reverse()
    for (const [idHex, round] of admitted)
      for (const voucher of book.evidenceFor(idHex, round, (o) => trust.isMember(o))) {
        if (out.size >= MAX_VOUCHERS) return [...out.values()]
        if (!out.has(voucher.originHex)) out.set(voucher.originHex, voucher)
      }
    return [...out.values()]
  }
}
