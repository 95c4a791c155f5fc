import {
  fromHex,
  type HeldCommit,
  heldCommitsDigest,
  peerIdFromOrigin,
  type Recovery,
  toHex,
  type VerifiedVote,
  validateCommit,
  validateRecovery,
  validateReveal,
  verifyRecovery,
} from '@alara/protocol'
import type { PeerId } from '@libp2p/interface'
import type { AlaraComponents } from '../components.js'
import type { Via } from '../events.js'
import type { Logger } from '../util/logger.js'
import { BEACON_LIMITS, type EpochBeacon } from './epoch-beacons.js'

/**
 * Version 2's receive path (DESIGN.md "The shared beacon, version 2"): commits, reveals
 * and recoveries from gossip or sync are judged by @alara/protocol's validation, members'
 * only, and kept in the epoch's EpochBeacon. After close a commit enters only with its
 * round's vouchers, as a contribution does (DESIGN.md "Admission after close"): a voucher
 * is a member's vote whose held-commits digest covers it, with the commits behind that
 * digest checked against it. Judging only: what follows (a re-vote, combining, stopping a
 * recovery) is BeaconService's, told through `onChange`.
 */

export type BeaconVerdict = { verdict: 'accept' } | { verdict: 'reject' | 'ignore'; reason: string }

export interface BeaconReceiveOptions {
  via: Via
  from?: PeerId
}

/** What a judged message changed, for BeaconService. */
export type BeaconChange =
  | { kind: 'commit'; epoch: number; originHex: string; equivocation: boolean }
  | { kind: 'reveal'; epoch: number; originHex: string }
  | { kind: 'recovery'; epoch: number }
  /** a member's vote carries a held-commits digest other than this node's */
  | { kind: 'differs'; epoch: number; originHex: string; digestHex: string }

export class BeaconIngest {
  private readonly log: Logger
  /** recoveries that arrived before their epoch froze here, one per epoch (the latest) */
  private readonly early = new Map<number, { recovery: Recovery; encoded: Uint8Array }>()

  constructor(
    private readonly components: AlaraComponents,
    private readonly onChange: (change: BeaconChange) => void = () => {},
  ) {
    this.log = components.logger('alara:beacon')
  }

  private beaconOf(r: number): EpochBeacon {
    return this.components.state.beacons.of(r)
  }

  /** A member counts as a voucher (trust > 0, active), as for agreement. */
  private readonly isCounted = (originHex: string): boolean =>
    this.components.trust.isMember(originHex)

  /** Validates a commit; a valid one of a member is held (or waits for vouchers). */
  commit(data: Uint8Array, opts: BeaconReceiveOptions): BeaconVerdict {
    const { params, state, now, trust } = this.components
    const nowMs = now()
    const result = validateCommit(data, {
      params,
      nowMs,
      seen: (idHex) => this.holdsCommit(idHex),
      isClosed: (epoch) => state.isClosed(epoch, nowMs),
      isFinal: (epoch) => state.beacons.ifAny(epoch)?.frozen !== undefined,
      viaRepair: opts.via === 'sync',
      admits: (originHex) => trust.admits(originHex),
      commitsFrom: (originHex, epoch) =>
        state.beacons.ifAny(epoch)?.commits.countOf(originHex) ?? 0,
    })
    if (result.verdict !== 'accept') return this.refused('commit', result, opts)
    const v = result.commit
    const r = v.commit.epoch
    const held: HeldCommit = {
      idHex: v.idHex,
      originHex: v.originHex,
      origin: v.origin.slice(),
      c: v.c,
      encoded: data.slice(),
    }
    const gate = state.admission.gate(r, nowMs, state.backfill.has(r))
    if (gate.kind === 'over' || r < state.replica.oldestRetainedEpoch)
      return this.refused('commit', { verdict: 'ignore', reason: 'AFTER_DEADLINE' }, opts)
    const beacon = this.beaconOf(r)
    if (gate.kind === 'round') {
      if (!beacon.book.admits(v.idHex, gate.round, this.isCounted)) {
        if (beacon.waiting.size < BEACON_LIMITS.heldPerEpoch) beacon.waiting.set(v.idHex, held)
        return this.refused('commit', { verdict: 'ignore', reason: 'UNVOUCHED' }, opts)
      }
      beacon.late.set(v.idHex, gate.round)
    }
    return this.hold(beacon, held, opts.via)
      ? { verdict: 'accept' }
      : this.refused('commit', { verdict: 'ignore', reason: 'COMMITS_FULL' }, opts)
  }

  /**
   * A commit already held, before its signature is checked: looked up in the epochs where
   * commits travel (the current one and the two before); an older duplicate costs a
   * verify and is caught when it is held.
   */
  private holdsCommit(idHex: string): boolean {
    const { state, params, now } = this.components
    const current = Math.floor(now() / params.epochMs)
    for (let r = current; r >= current - 2; r--)
      if (state.beacons.ifAny(r)?.commits.has(idHex) === true) return true
    return false
  }

  /** Keeps a commit that passed validation and admission; false when the epoch is full. */
  hold(beacon: EpochBeacon, commit: HeldCommit, via: Via): boolean {
    const { store, events } = this.components
    beacon.waiting.delete(commit.idHex)
    const added = beacon.commits.add(commit)
    if (added === 'duplicate') return true
    if (added === 'full') return false
    const r = beacon.epoch
    void store.beacon.putCommit(r, commit.idHex, commit.encoded).catch((err: Error) => {
      this.log.warn(`store: commit not saved (${err.message})`)
    })
    events.emitLazy('beacon:commit', () => ({
      epoch: r,
      originHex: commit.originHex,
      idHex: commit.idHex,
      via,
    }))
    const equivocation = added === 'equivocation'
    if (equivocation) {
      const both = beacon.commits.equivocations().find((e) => e.originHex === commit.originHex)
      const commitIds = both?.commits.map((c) => c.idHex) ?? [commit.idHex]
      this.log.warn(
        `origin ${commit.originHex} signed two commits for epoch ${r}: left out of C_${r}`,
      )
      events.emit('beacon:equivocation', { epoch: r, originHex: commit.originHex, commitIds })
    }
    this.onChange({ kind: 'commit', epoch: r, originHex: commit.originHex, equivocation })
    return true
  }

  /** Commits of r that wait for vouchers, checked again after a vote or a set arrived. */
  admitWaiting(r: number): number {
    const { state, now } = this.components
    const beacon = state.beacons.ifAny(r)
    if (beacon === undefined || beacon.waiting.size === 0) return 0
    const gate = state.admission.gate(r, now(), state.backfill.has(r))
    if (gate.kind === 'over' || beacon.frozen !== undefined) {
      beacon.waiting.clear()
      return 0
    }
    let admitted = 0
    for (const commit of [...beacon.waiting.values()]) {
      if (gate.kind === 'round') {
        if (!beacon.book.admits(commit.idHex, gate.round, this.isCounted)) continue
        beacon.late.set(commit.idHex, gate.round)
      }
      if (this.hold(beacon, commit, 'sync')) admitted++
    }
    return admitted
  }

  /**
   * A member's vote (judged by the vote path) with a held-commits digest: every distinct
   * one vouches for the commits behind it; one that differs from this node's, on an epoch
   * it closed and has not frozen, asks for those commits.
   */
  vote(v: VerifiedVote, bare: Uint8Array): void {
    const { state, selfHex } = this.components
    const r = v.vote.epoch
    const count = v.vote.commitCount ?? 0
    if (count === 0 || v.vote.commitsDigest === undefined) return
    if (v.originHex === selfHex || !this.isCounted(v.originHex)) return
    const beacon = this.beaconOf(r)
    if (beacon.frozen !== undefined) return
    const digestHex = toHex(v.vote.commitsDigest)
    beacon.book.addVote(v.originHex, digestHex, count, bare.slice())
    if (beacon.book.idsOf(digestHex) !== undefined) this.admitWaiting(r)
    else if (toHex(beacon.commits.heldDigest()) === digestHex)
      this.recordSet(r, digestHex, beacon.commits.all())
    if (state.closed.has(r) && toHex(beacon.commits.heldDigest()) !== digestHex)
      this.onChange({ kind: 'differs', epoch: r, originHex: v.originHex, digestHex })
  }

  /**
   * The commits behind a held-commits digest some vote in the book names, as served: kept
   * as that digest's set when their ids hash to it (each commit's signature was checked),
   * then the waiting commits are checked again. False when they do not hash to it.
   */
  recordSet(r: number, digestHex: string, commits: HeldCommit[]): boolean {
    const beacon = this.beaconOf(r)
    const ids = commits.map((c) => c.idHex)
    if (toHex(heldCommitsDigest(this.components.params.network, r, ids)) !== digestHex) return false
    if (!beacon.book.addIds(digestHex, ids)) return false
    // the set's commits this node lacks wait here for their round's vouchers
    for (const commit of commits)
      if (!beacon.commits.has(commit.idHex) && beacon.waiting.size < BEACON_LIMITS.heldPerEpoch)
        beacon.waiting.set(commit.idHex, commit)
    this.admitWaiting(r)
    return true
  }

  /** Validates a commit served by sync without holding it: for a set behind a digest. */
  checkServedCommit(data: Uint8Array): HeldCommit | undefined {
    const { params, now } = this.components
    const result = validateCommit(data, {
      params,
      nowMs: now(),
      seen: () => false,
      isClosed: () => true,
      isFinal: () => false,
      viaRepair: true,
      admits: (originHex) => this.components.trust.admits(originHex),
    })
    if (result.verdict !== 'accept') return undefined
    const v = result.commit
    return {
      idHex: v.idHex,
      originHex: v.originHex,
      origin: v.origin.slice(),
      c: v.c,
      encoded: data.slice(),
    }
  }

  /** Validates a reveal of a member; the first valid one per origin and epoch is kept. */
  reveal(data: Uint8Array, opts: BeaconReceiveOptions): BeaconVerdict {
    const { params, state, now, trust, store } = this.components
    const result = validateReveal(data, {
      params,
      nowMs: now(),
      seen: (_idHex, originHex, epoch) =>
        state.beacons.ifAny(epoch)?.reveals.has(originHex) === true,
      admits: (originHex) => trust.admits(originHex),
    })
    if (result.verdict !== 'accept') return this.refused('reveal', result, opts)
    const { originHex, reveal } = result.reveal
    const r = reveal.epoch
    if (r < state.replica.oldestRetainedEpoch)
      return this.refused('reveal', { verdict: 'ignore', reason: 'OUTSIDE_WINDOW' }, opts)
    const beacon = this.beaconOf(r)
    // one per origin: a member's commits are few, so is what its reveals can cost
    if (beacon.commits.countOf(originHex) === 0 && beacon.frozen !== undefined)
      return this.refused('reveal', { verdict: 'ignore', reason: 'NO_COMMIT' }, opts)
    const encoded = data.slice()
    beacon.reveals.set(originHex, { originHex, alpha: reveal.alpha.slice(), encoded })
    void store.beacon.putReveal(r, originHex, encoded).catch((err: Error) => {
      this.log.warn(`store: reveal not saved (${err.message})`)
    })
    this.onChange({ kind: 'reveal', epoch: r, originHex })
    return { verdict: 'accept' }
  }

  /**
   * Validates a recovery and, once its epoch is frozen here, checks its proof against C_r:
   * the first valid one is kept. Members' only (DESIGN.md: a recovery is unsigned, so the
   * peer that sent it answers for it: a failed proof is rejected, which costs the sender
   * its gossip score as a forged signature does).
   */
  recovery(data: Uint8Array, opts: BeaconReceiveOptions): BeaconVerdict {
    const { params, state, now, trust } = this.components
    if (opts.from !== undefined && !trust.isMemberPeer(opts.from.toString()))
      return this.refused('recovery', { verdict: 'ignore', reason: 'STRANGER' }, opts)
    const result = validateRecovery(data, {
      params,
      nowMs: now(),
      seen: (_idHex, epoch) => {
        const b = state.beacons.ifAny(epoch)
        return b !== undefined && (b.recovery !== undefined || b.settled)
      },
    })
    if (result.verdict !== 'accept') return this.refused('recovery', result, opts)
    const r = result.recovery.epoch
    if (r < state.replica.oldestRetainedEpoch)
      return this.refused('recovery', { verdict: 'ignore', reason: 'OUTSIDE_WINDOW' }, opts)
    const beacon = this.beaconOf(r)
    if (beacon.frozen === undefined) {
      this.early.set(r, { recovery: result.recovery, encoded: data.slice() })
      if (this.early.size > BEACON_LIMITS.recoveriesPerEpoch)
        this.early.delete(Math.min(...this.early.keys()))
      return { verdict: 'accept' }
    }
    return this.takeRecovery(beacon, result.recovery, data.slice(), opts)
  }

  /** Checks a recovery against the frozen set; a valid one is kept (the first). */
  takeRecovery(
    beacon: EpochBeacon,
    recovery: Recovery,
    encoded: Uint8Array,
    opts: BeaconReceiveOptions,
  ): BeaconVerdict {
    const set = beacon.frozen
    if (set === undefined || beacon.recovery !== undefined || beacon.settled)
      return { verdict: 'ignore', reason: 'DUPLICATE' }
    if (beacon.recoveriesChecked >= BEACON_LIMITS.recoveriesPerEpoch)
      return this.refused('recovery', { verdict: 'ignore', reason: 'TOO_MANY_RECOVERIES' }, opts)
    beacon.recoveriesChecked++
    if (!verifyRecovery(set, recovery))
      return this.refused('recovery', { verdict: 'reject', reason: 'BAD_PROOF' }, opts)
    beacon.recovery = { recovery, encoded }
    void this.components.store.beacon.putRecovery(beacon.epoch, encoded).catch((err: Error) => {
      this.log.warn(`store: recovery not saved (${err.message})`)
    })
    this.onChange({ kind: 'recovery', epoch: beacon.epoch })
    return { verdict: 'accept' }
  }

  /** A recovery that came before its epoch froze here, checked now that it is frozen. */
  takeEarlyRecovery(beacon: EpochBeacon): void {
    const early = this.early.get(beacon.epoch)
    if (early === undefined) return
    this.early.delete(beacon.epoch)
    this.takeRecovery(beacon, early.recovery, early.encoded, { via: 'gossip' })
  }

  private refused(
    kind: 'commit' | 'reveal' | 'recovery',
    r: { verdict: 'reject' | 'ignore'; reason: string },
    opts: BeaconReceiveOptions,
  ): BeaconVerdict {
    this.log.debug(
      () => `${kind} from ${opts.from?.toString() ?? opts.via}: ${r.verdict} ${r.reason}`,
    )
    this.components.events.emitLazy('beacon:refused', () => ({
      kind,
      verdict: r.verdict,
      reason: r.reason,
      via: opts.via,
      ...(opts.from !== undefined ? { from: opts.from.toString() } : {}),
    }))
    return { verdict: r.verdict, reason: r.reason }
  }

  /** The peer id of an origin (whom to ask for the commits behind its vote). */
  static peerOf(originHex: string): string {
    return peerIdFromOrigin(fromHex(originHex)).toString()
  }
}
