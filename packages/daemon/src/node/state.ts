import {
  epochOf,
  epochPhase,
  type ProtocolParams,
  Replica,
  toHex,
  type VerifiedVote,
  VoteBook,
} from '@alara/protocol'
import { EpochBeacons } from '../beacon/epoch-beacons.js'
import { WindowedCounter } from '../util/bounded/windowed-counter.js'
import { AdmissionState } from './admission.js'

/** Bounds of the per-origin statistics (docs/OPERATIONS.md "Limits"). */
export const STATE_LIMITS = Object.freeze({
  /** origins whose health failures are counted per epoch; more are not counted */
  healthOriginsPerEpoch: 4096,
  /** votes (first and re-votes) accepted from one origin for one epoch */
  votesPerOriginEpoch: 32,
  /** origins whose votes are counted per epoch (the vote-rate bookkeeping) */
  voteOriginsPerEpoch: 4096,
})

/**
 * The node's state as data, no I/O: the replica and the vote book, which epochs this
 * node closed, which it must back-fill, per-origin statistics, its own sequence number,
 * and what repair has added but not yet written. Services change it; the API reads it.
 */

/** A signed vote kept with what the VoteBook needs. */
export interface HeldVote {
  /** the vote's id (SHA-256 of its signing bytes): the same vote again is a duplicate */
  idHex: string
  originHex: string
  epoch: number
  digest: Uint8Array
  timestampMs: number
  count: number
  encoded: Uint8Array
  /** version 2: the voter's held-commits digest, when it held commits */
  commitsDigest?: Uint8Array
}

/** Strangers' votes kept per epoch, first come (docs/PROTOCOL.md, "Membership"). */
export const STRANGER_VOTES_PER_EPOCH = 16

/**
 * What is kept of a stranger's vote: what `alara consensus` lists and the newest-wins
 * rule needs. `digest` is a copy (DESIGN.md "Bounds": a view would pin the gossip frame).
 */
export interface StrangerVote {
  originHex: string
  epoch: number
  digest: Uint8Array
  timestampMs: number
}

/**
 * Strangers' votes: shown in `alara consensus` as not counted, never persisted, at most
 * STRANGER_VOTES_PER_EPOCH origins per epoch (the newest vote per origin), so that a
 * flood of throw-away identities costs a few kilobytes per epoch and no more.
 */
export class StrangerVotes {
  private readonly byEpoch = new Map<number, Map<string, StrangerVote>>()

  /** Whether a vote of this origin for this epoch would be kept (worth verifying). */
  hasRoom(epoch: number, originHex: string): boolean {
    const votes = this.byEpoch.get(epoch)
    return votes === undefined || votes.size < STRANGER_VOTES_PER_EPOCH || votes.has(originHex)
  }

  record(vote: StrangerVote): boolean {
    if (!this.hasRoom(vote.epoch, vote.originHex)) return false
    let votes = this.byEpoch.get(vote.epoch)
    if (votes === undefined) {
      votes = new Map()
      this.byEpoch.set(vote.epoch, votes)
    }
    const old = votes.get(vote.originHex)
    if (old !== undefined && old.timestampMs >= vote.timestampMs) return false
    votes.set(vote.originHex, vote)
    return true
  }

  votesOf(epoch: number): StrangerVote[] {
    return [...(this.byEpoch.get(epoch)?.values() ?? [])]
  }

  prune(oldestEpoch: number): void {
    for (const epoch of this.byEpoch.keys()) if (epoch < oldestEpoch) this.byEpoch.delete(epoch)
  }
}

export interface RepairedContribution {
  idHex: string
  epoch: number
  encoded: Uint8Array
}

export interface NodeStateInit {
  params: ProtocolParams
  selfHex: string
  /** the fold's trust view of an origin */
  trustOf: (originHex: string) => { trust: number; active: boolean }
  /** this node's last signed sequence number (from the store) */
  seq: number
}

export class NodeState {
  readonly replica: Replica
  readonly votes = new VoteBook<HeldVote>()
  /** strangers' votes: a few per epoch, shown, never counted nor persisted */
  readonly strangerVotes = new StrangerVotes()
  /** epochs this node has closed (and voted), newest kept within the retained window */
  readonly closed = new Set<number>()
  /**
   * Epochs this node does not freeze on the clock (DESIGN.md "Catch-up"): those not final
   * when it started, whatever their phase, and those that reached final while no member
   * was connected (a partition). Frozen once enough members were heard (epochs.ts); until
   * then reported as catching up.
   */
  readonly backfill = new Set<number>()
  /**
   * Members heard since start (origin hex): when, by this node's clock, the latest
   * completed catch-up or vote refresh with each began. A vote fetched then is at least
   * that recent: heard after an epoch's final, it is the member's final vote of it.
   */
  readonly caughtUp = new Map<string, number>()
  /**
   * After close: every distinct member vote, the ids behind digests (checked against
   * them: what catch-up adopts and BEHIND answers serve), items held for vouchers
   */
  readonly admission: AdmissionState
  /** the version-2 beacon of each epoch: commits, the frozen set, reveals, recovery */
  readonly beacons: EpochBeacons
  /** when the node's services started (ms) */
  startedAtMs = 0
  /**
   * A restart's restore: the epoch open then (caught up, as every epoch opened before
   * the epoch service starts); undefined on a first start, whose first epoch is its own.
   */
  restartedInEpoch: number | undefined
  /**
   * health-test failures per origin (rejected contributions never reach the replica),
   * per epoch of the failing contribution: forgotten with the retained window
   */
  readonly healthFailures = new WindowedCounter(STATE_LIMITS.healthOriginsPerEpoch)
  /** votes accepted per origin and epoch (validation's TOO_MANY_VOTES), same window */
  readonly votesAccepted = new WindowedCounter(STATE_LIMITS.voteOriginsPerEpoch)
  /** closed epochs whose digest changed since their last vote */
  readonly digestChanged = new Set<number>()
  /** this node's last signed sequence number */
  seq: number
  /** contributions added by repair since the last commit (written synced, in a batch) */
  private repaired: RepairedContribution[] = []

  constructor(private readonly init: NodeStateInit) {
    this.seq = init.seq
    this.admission = new AdmissionState(init.params, init.selfHex)
    this.beacons = new EpochBeacons(init.params, init.selfHex)
    this.replica = new Replica({
      params: init.params,
      selfHex: init.selfHex,
      trustOf: init.trustOf,
    })
  }

  get params(): ProtocolParams {
    return this.init.params
  }

  get selfHex(): string {
    return this.init.selfHex
  }

  currentEpoch(nowMs: number): number {
    return epochOf(nowMs, this.init.params.epochMs)
  }

  /** Closed by this node, or by the clock. */
  isClosed(r: number, nowMs: number): boolean {
    return this.closed.has(r) || epochPhase(r, nowMs, this.init.params) !== 'open'
  }

  addHealthFailure(originHex: string, epoch: number): void {
    this.healthFailures.add(originHex, epoch)
  }

  addRepaired(item: RepairedContribution): void {
    this.repaired.push(item)
  }

  /** Hands over (and forgets) what repair added since the last call. */
  takeRepaired(): RepairedContribution[] {
    const batch = this.repaired
    this.repaired = []
    return batch
  }

  /** Hands over (and forgets) the epochs whose digest changed, oldest first. */
  takeDigestChanged(): number[] {
    const changed = [...this.digestChanged].sort((a, b) => a - b)
    this.digestChanged.clear()
    return changed
  }

  recordVote(v: VerifiedVote, encoded: Uint8Array): 'new' | 'replaced' | 'stale' {
    const result = this.votes.record({
      idHex: v.idHex,
      originHex: v.originHex,
      epoch: v.vote.epoch,
      // copies: the digest is a view into the message, `encoded` into the gossip frame
      digest: v.vote.digest.slice(),
      timestampMs: v.vote.timestampMs,
      count: v.vote.count,
      encoded: encoded.slice(),
      ...(v.vote.commitsDigest !== undefined
        ? { commitsDigest: v.vote.commitsDigest.slice() }
        : {}),
    })
    if (result !== 'stale') this.votesAccepted.add(v.originHex, v.vote.epoch)
    return result
  }

  /**
   * Whether the vote with this id is the one the vote book holds for its origin and
   * epoch. Not the strangers' list: a stranger that becomes a member is counted only once
   * its vote comes again, and that copy must not be taken for a duplicate.
   */
  holdsVote(idHex: string, originHex: string, epoch: number): boolean {
    return this.votes.voteOf(epoch, originHex)?.idHex === idHex
  }

  /**
   * Keeps the ids behind `digestHex` of a retained, non-final epoch when a vote in its
   * book names the digest and they hash to it: what catch-up adopts and BEHIND serves.
   */
  recordIdsBehind(epoch: number, digestHex: string, idHexes: string[]): boolean {
    if (epoch < this.replica.oldestRetainedEpoch || this.replica.isFinal(epoch)) return false
    return this.admission.book(epoch).addIds(digestHex, idHexes)
  }

  /** Every distinct member vote of epoch r in its admission book (sync relays them). */
  distinctVotes(epoch: number): Iterable<{ originHex: string; encoded: Uint8Array }> {
    return this.admission.bookIfAny(epoch)?.votes() ?? []
  }

  /** The ids behind a digest of epoch r: this node's own set, or one recorded. */
  idsBehind(epoch: number, digestHex: string): string[] | undefined {
    if (toHex(this.replica.digest(epoch)) === digestHex) return this.replica.foldedIdsOf(epoch)
    const ids = this.admission.bookIfAny(epoch)?.idsOf(digestHex)
    return ids === undefined ? undefined : [...ids]
  }

  /** Version 2's messages of epoch r that sync serves (EpochBeacon.messages). */
  beaconMessages(
    epoch: number,
    digestHex?: string,
  ): { commits: Uint8Array[]; reveals: Uint8Array[]; recoveries: Uint8Array[] } {
    const beacon = this.beacons.ifAny(epoch)
    return beacon === undefined
      ? { commits: [], reveals: [], recoveries: [] }
      : beacon.messages(digestHex)
  }

  /** Epoch r no longer waits for catch-up (frozen, or left the window). */
  settled(r: number): void {
    this.backfill.delete(r)
  }

  /** Forgets everything older than `oldest` (the replica's window moved). */
  prune(oldest: number): void {
    this.replica.prune(oldest)
    this.votes.prune(oldest)
    this.strangerVotes.prune(oldest)
    this.healthFailures.prune(oldest)
    this.votesAccepted.prune(oldest)
    for (const e of this.closed) if (e < oldest) this.closed.delete(e)
    for (const e of this.backfill) if (e < oldest) this.settled(e)
    this.admission.prune(oldest)
    this.beacons.prune(oldest)
  }
}
