import {
  CompactContribution,
  encodeBareVote,
  toHex,
  type VerifiedContribution,
  type VerifiedEvidence,
  type VerifiedVote,
  validateVote,
} from '@alara/protocol'
import type { PeerId } from '@libp2p/interface'
import type { AlaraComponents } from '../components.js'
import type { Via } from '../events.js'
import type { Logger } from '../util/logger.js'
import { type ContributionChecker, inThreadChecker } from '../verify/checker.js'
import { agreementAt, askRepairIfDiffers } from './consensus-view.js'
import { type Judgement, judgeContribution, type Refused } from './receive-contribution.js'
import { STATE_LIMITS } from './state.js'

/**
 * The single receive path: every contribution and vote, from gossip or sync, is judged
 * here by @alara/protocol's validation and, when valid, stored, folded and announced.
 * One verdict vocabulary (accept / reject / ignore with the protocol's reason); p2p/gossip/
 * maps it to gossipsub's, sync counts it.
 */

export type ContributionResult = Judgement

export type VoteResult = { verdict: 'accept' } | Refused

export interface ReceiveOptions {
  via: Via
  /** the peer that sent it (gossip: the forwarder) */
  from?: PeerId
}

/**
 * A copy of what this node keeps from a received message. Gossipsub's `msg.data` is a view
 * into the whole RPC frame and decoded fields are views into the message: keeping either
 * would pin the larger buffer for as long as the kept value lives. Copy at the point of
 * keeping (`slice` allocates a buffer of exactly the kept length).
 */
const ownedBytes = (bytes: Uint8Array): Uint8Array => bytes.slice()

export class Ingest {
  private readonly log: Logger

  constructor(
    private readonly components: AlaraComponents,
    /** where the stateless checks and Ed25519 run (the daemon passes its VerifyPool) */
    private readonly checker: ContributionChecker = inThreadChecker(components.params),
    /** version 2: a member's vote also vouches for the commits behind its commits digest */
    private readonly beaconVote?: (v: VerifiedVote, bare: Uint8Array) => void,
  ) {
    this.log = components.logger('alara:ingest')
  }

  /**
   * Validates and, when valid, stores and folds one encoded contribution. Sync (repair)
   * may fill epochs that are closed but not final; gossip may not. The verdict comes from
   * receive-contribution.ts (the stateless checks and the signature on a verify thread, the
   * state's verdict here); then the admission gate, store and fold.
   */
  async contribution(data: Uint8Array, opts: ReceiveOptions): Promise<ContributionResult> {
    const viaRepair = opts.via === 'sync'
    const source = opts.from?.toString() ?? opts.via
    const result = await judgeContribution(this.components, this.checker, data, {
      viaRepair,
      source,
    })
    if (result.verdict !== 'accept') return this.refused(result, opts)
    const v = result.v
    const r = v.contribution.epoch
    const { state, now } = this.components
    const gate = state.admission.gate(r, now(), state.backfill.has(r))
    if (gate.kind === 'over')
      return this.refused({ verdict: 'ignore', reason: 'AFTER_DEADLINE' }, opts)
    if (gate.kind === 'round') {
      // after close: vouchers of `round` members first (DESIGN.md "Admission after close")
      if (!state.admission.book(r).admits(v.idHex, gate.round, this.isCounted)) {
        state.admission.hold(r, { v, encoded: ownedBytes(data) })
        return this.refused({ verdict: 'ignore', reason: 'UNVOUCHED' }, opts)
      }
      state.admission.admitted(r, v.idHex, gate.round)
    }
    this.add(v, data, viaRepair, opts.via)
    return { verdict: 'accept', v }
  }

  /** A member counts as a voucher (trust > 0, active), as for agreement. */
  private readonly isCounted = (originHex: string): boolean =>
    this.components.trust.isMember(originHex)

  /**
   * Items of closed epoch r held for vouchers, checked again after something arrived (a
   * vote, ids behind a digest, evidence): those with their round's vouchers now enter.
   */
  admitHeld(r: number): number {
    const { state, now } = this.components
    const held = state.admission.heldOf(r)
    if (held.length === 0) return 0
    const gate = state.admission.gate(r, now(), state.backfill.has(r))
    if (gate.kind === 'over' || state.replica.isFinal(r)) {
      state.admission.dropHeld(r)
      return 0
    }
    let admitted = 0
    for (const { v, encoded } of held) {
      if (gate.kind === 'round') {
        if (!state.admission.book(r).admits(v.idHex, gate.round, this.isCounted)) continue
        state.admission.admitted(r, v.idHex, gate.round)
      } else state.admission.release(r, v.idHex)
      this.add(v, encoded, true, 'sync')
      admitted++
    }
    return admitted
  }

  private refused(
    r: { verdict: 'reject' | 'ignore'; reason: string },
    opts: ReceiveOptions,
  ): ContributionResult {
    this.log.debug(
      () => `contribution from ${opts.from?.toString() ?? opts.via}: ${r.verdict} ${r.reason}`,
    )
    this.components.events.emitLazy('contribution:refused', () => ({
      verdict: r.verdict,
      reason: r.reason,
      via: opts.via,
      ...(opts.from !== undefined ? { from: opts.from.toString() } : {}),
    }))
    return { verdict: r.verdict, reason: r.reason }
  }

  /** Stores, folds and announces a contribution that validated. */
  private add(
    validated: VerifiedContribution,
    data: Uint8Array,
    viaRepair: boolean,
    via: Via,
  ): void {
    const { state, store, events, now } = this.components
    // kept as a copy of its bytes, so no view pins the frame it came in (ownedBytes), and
    // decoded on demand (CompactContribution): lean in memory over a long window
    const encoded = ownedBytes(data)
    const v = new CompactContribution(
      validated.idHex,
      validated.originHex,
      encoded,
      validated.contribution, // for the replica's add: not decoded twice
    )
    const receivedMs = now()
    if (state.replica.add(v, receivedMs) !== 'added') return
    const epoch = validated.contribution.epoch
    if (viaRepair) state.addRepaired({ idHex: v.idHex, epoch, encoded })
    else store.queueContribution(v.idHex, epoch, encoded)
    const folded = state.replica.isFolded(v.idHex)
    if (state.closed.has(epoch)) {
      state.digestChanged.add(epoch)
      if (folded) events.emit('digest:changed', { epoch })
    }
    this.announce(v, receivedMs, via, folded)
  }

  /** Reports a contribution added to the replica (received, or signed here). */
  announce(v: VerifiedContribution, receivedMs: number, via: Via, folded: boolean): void {
    this.components.events.emitLazy(folded ? 'contribution:folded' : 'contribution:stored', () => ({
      idHex: v.idHex,
      originHex: v.originHex,
      epoch: v.contribution.epoch,
      bitLength: v.contribution.bitLength,
      timestampMs: v.contribution.timestampMs,
      receivedMs,
      via,
    }))
  }

  /** Validates and records a vote; one that disagrees with a closed epoch asks for repair. */
  vote(data: Uint8Array, opts: ReceiveOptions): VoteResult {
    const { params, state, store, events, now, trust } = this.components
    const result = validateVote(data, {
      params,
      nowMs: now(),
      oldestEpoch: state.replica.oldestRetainedEpoch,
      // catch-up brings back every vote of the window: those held cost a hash, no verify.
      // Sync only: gossipsub drops its own duplicates, and a copy that reaches it after a
      // catch-up is still relayed, as before, to mesh peers that may lack it.
      seen:
        opts.via === 'sync'
          ? (idHex, originHex, epoch) => state.holdsVote(idHex, originHex, epoch)
          : undefined,
      // a stranger's vote is verified only while its epoch's small list has room
      admits: (originHex, epoch) =>
        trust.admits(originHex) || state.strangerVotes.hasRoom(epoch, originHex),
      votesFrom: (originHex, epoch) => state.votesAccepted.countOf(originHex, epoch),
      maxVotesPerOrigin: STATE_LIMITS.votesPerOriginEpoch,
    })
    if (result.verdict !== 'accept') {
      this.log.debug(
        () => `vote from ${opts.from?.toString() ?? opts.via}: ${result.verdict} ${result.reason}`,
      )
      events.emitLazy('vote:refused', () => ({
        verdict: result.verdict,
        reason: result.reason,
        via: opts.via,
        ...(opts.from !== undefined ? { from: opts.from.toString() } : {}),
      }))
      return { verdict: result.verdict, reason: result.reason }
    }
    const v = result.vote
    const r = v.vote.epoch
    if (!trust.admits(v.originHex)) {
      // shown as not counted, never persisted nor relayed
      state.strangerVotes.record({
        originHex: v.originHex,
        epoch: r,
        digest: ownedBytes(v.vote.digest),
        timestampMs: v.vote.timestampMs,
      })
      return { verdict: 'ignore', reason: 'STRANGER' }
    }
    const before = this.consensusWatched(r) ? agreementAt(this.components, r) : undefined
    // kept and stored bare: the evidence went into the epoch's book
    const bare = v.vote.evidence === undefined ? data : encodeBareVote(v.vote)
    this.intoAdmission(v, bare, result.evidence)
    this.beaconVote?.(v, bare)
    if (state.recordVote(v, bare) !== 'stale') {
      void store.putVote(r, v.originHex, bare).catch((err: Error) => {
        this.log.warn(`store: vote not saved (${err.message})`)
      })
      this.checkAgainstMine(v)
      events.emitLazy('vote:received', () => ({
        originHex: v.originHex,
        epoch: r,
        digestHex: toHex(v.vote.digest),
        count: v.vote.count,
        via: opts.via,
      }))
      if (before !== undefined) {
        const { status, agreement } = agreementAt(this.components, r)
        if (status !== before.status || agreement !== before.agreement)
          events.emit('consensus:changed', { epoch: r, status, agreement })
      }
    }
    return { verdict: 'accept' }
  }

  /**
   * Every distinct vote of a member vouches for what its digest covers once the ids behind
   * it are known (DESIGN.md "Admission after close"): kept in the epoch's book; then the
   * items held for vouchers are checked again.
   */
  private intoAdmission(v: VerifiedVote, bare: Uint8Array, evidence?: VerifiedEvidence): void {
    const { state, selfHex } = this.components
    const r = v.vote.epoch
    if (v.originHex === selfHex || state.replica.isFinal(r) || !this.isCounted(v.originHex)) return
    const book = state.admission.book(r)
    const digestHex = toHex(v.vote.digest)
    book.addVote(v.originHex, digestHex, v.vote.count, bare.slice())
    if (evidence !== undefined) {
      // checked already (validateVote): the voter's own ids, and its vouchers' votes and ids
      book.addIds(digestHex, evidence.ids)
      for (const voucher of evidence.vouchers) {
        if (voucher.vote.originHex === selfHex || !this.isCounted(voucher.vote.originHex)) continue
        const voucherDigest = toHex(voucher.vote.vote.digest)
        book.addVote(
          voucher.vote.originHex,
          voucherDigest,
          voucher.vote.vote.count,
          voucher.encoded.slice(),
        )
        book.addIds(voucherDigest, voucher.ids)
      }
    }
    this.admitHeld(r)
  }

  /** A peer's vote for an epoch I closed, not yet final, that differs: repair from it. */
  private checkAgainstMine(v: VerifiedVote): void {
    const { state } = this.components
    const r = v.vote.epoch
    if (!state.closed.has(r) || state.replica.isFinal(r)) return
    askRepairIfDiffers(this.components, r, { originHex: v.originHex, digest: v.vote.digest })
  }

  private consensusWatched(r: number): boolean {
    return (
      this.components.state.closed.has(r) &&
      this.components.events.listenerCount('consensus:changed') > 0
    )
  }
}
