import {
  type CatchUpVoter,
  catchUpDecision,
  epochDigest,
  epochFinalMs,
  epochPhase,
  fromHex,
  oldestRetainedEpoch,
  peerIdFromOrigin,
  requiredAgreement,
  toHex,
} from '@alara/protocol'
import type { AlaraComponents, Startable } from '../components.js'
import type { GossipService } from '../p2p/gossip/gossip-service.js'
import type { Logger } from '../util/logger.js'
import { agreementAt, askRepairIfDiffers, catchUpVoters } from './consensus-view.js'
import { EpochClock } from './epoch-clock.js'
import { OwnVotes } from './own-votes.js'
import { pruneStore } from './prune-store.js'

/**
 * The epoch life cycle on the clock's ticks: close (vote, compare with votes already
 * here), final (commit repairs, freeze, prune the window); re-votes when a closed
 * epoch's digest moved; freezing the epochs back-filled after a restart.
 */

export interface EpochsInit {
  gossip: Pick<GossipService, 'publishVote'>
}

export class EpochService implements Startable {
  private readonly log: Logger
  private readonly clock: EpochClock
  private readonly votes: OwnVotes
  private readonly freezing = new Map<number, Promise<void>>()
  /**
   * Back-filled epochs whose voters were asked again, and when (askVotersAgain); those no
   * longer back-filled are dropped at the next freezeBackfill.
   */
  private readonly askedAgain = new Map<number, number>()
  /** at start, this node knew members it could catch up from (else it starts alone) */
  private knewMembers = false
  private unsubscribe: (() => void) | undefined
  /** commitRepairs runs one at a time: two re-votes of one epoch must not interleave */
  private committing: Promise<void> = Promise.resolve()

  constructor(
    private readonly components: AlaraComponents,
    init: EpochsInit,
  ) {
    this.log = components.logger('alara:epochs')
    this.votes = new OwnVotes(components, init.gossip)
    this.clock = new EpochClock(
      components.params,
      { close: (r) => this.closeEpoch(r), finalize: (r) => this.finalizeEpoch(r) },
      (err) => this.log.error(`epoch clock: ${(err as Error).message}`),
      components.now,
    )
  }

  async start(): Promise<void> {
    // Epochs not final at start (restore.ts put them in `backfill`) are neither voted nor
    // frozen on the clock: the peers' votes on them went by while this node was away, so
    // they wait for catch-up (freezeBackfill).
    const { state, trust, closed, libp2p, now } = this.components
    state.startedAtMs = now()
    // A restart caught up the epoch open at restore (restore.ts); a slow start (libp2p,
    // on a loaded machine seconds) can open more before this node receives anything:
    // held in part just as much, and caught up the same way.
    if (state.restartedInEpoch !== undefined)
      for (let r = state.restartedInEpoch + 1; r <= state.currentEpoch(now()); r++)
        state.backfill.add(r)
    // members it could expect to hear from: listed ones, or on a closed network any key
    // holder it has met (libp2p's peer store)
    this.knewMembers =
      trust.list().some((e) => e.active && e.trust > 0) ||
      (closed && (await libp2p.peerStore.all()).some((p) => !p.id.equals(libp2p.peerId)))
    // an item admitted after close is voted at once, with its evidence (no batching)
    this.unsubscribe = this.components.events.on('digest:changed', () => {
      void this.commitRepairs().catch((err: Error) =>
        this.log.warn(`re-vote after admission: ${err.message}`),
      )
    })
    this.clock.start()
  }

  async stop(): Promise<void> {
    this.unsubscribe?.()
    await this.clock.stop()
    await this.committing
  }

  /** Closes epoch r: vote, then ask for repair from every vote already here that differs. */
  async closeEpoch(r: number): Promise<void> {
    const { state, events } = this.components
    state.closed.add(r)
    state.digestChanged.delete(r)
    // An epoch that ended before this node started holds what it caught in part: its
    // vote would count against the others' (two nodes catching up would each adopt the
    // other's partial set). It votes nothing; catch-up freezes it with the quorum's set.
    if (state.backfill.has(r)) return
    await this.votes.publish(r)
    const digestHex = toHex(state.replica.digest(r))
    events.emit('epoch:closed', { epoch: r, digestHex, count: state.replica.foldedCount(r) })
    // the consensus at close, with the votes already here; later votes move it (ingest.ts)
    events.emitLazy('consensus:changed', () => {
      const { status, agreement } = agreementAt(this.components, r)
      return { epoch: r, status, agreement }
    })
    // Votes that arrived before I closed could not be compared yet.
    for (const vote of state.votes.votesOf(r)) askRepairIfDiffers(this.components, r, vote)
  }

  /**
   * Epoch r is final by the clock: commit repairs, freeze it, move the window. Not an
   * epoch that waits for catch-up, nor one that reached final while no member was
   * connected though members were before (a partition): those freeze by freezeBackfill.
   */
  async finalizeEpoch(r: number): Promise<void> {
    const { state, params, now } = this.components
    await this.commitRepairs()
    if (!state.backfill.has(r) && this.partitioned()) {
      this.log.info(`epoch ${r} is final by the clock with no member connected: catching up`)
      state.backfill.add(r)
    }
    if (state.backfill.size > 0) await this.freezeBackfill()
    if (!state.backfill.has(r)) await this.freeze(r)
    const current = state.currentEpoch(now())
    const oldest = oldestRetainedEpoch(current, params.retainEpochs)
    if (oldest > state.replica.oldestRetainedEpoch) {
      state.prune(oldest)
      await pruneStore(this.components, current)
    }
  }

  /** Members connected now (origin hex). */
  private connectedMembers(): string[] {
    const { libp2p, trust } = this.components
    return libp2p
      .getPeers()
      .map((p) => toHex(p.toMultihash().bytes))
      .filter((originHex) => trust.isMember(originHex))
  }

  /** Members were heard since start, and none is connected now. */
  private partitioned(): boolean {
    return this.components.state.caughtUp.size > 0 && this.connectedMembers().length === 0
  }

  /**
   * Freezes the epochs that wait for catch-up (DESIGN.md "Catch-up"), each once it is
   * final by the clock and members holding the quorum of its counted votes were heard
   * (a catch-up or vote refresh with them that began after the epoch's final, so that
   * each vote weighed is the voter's final one): the set behind the
   * digest with the most trust among them, this node's own when it has it, else the one
   * its voters serve (repair fetches it, checked against the digest), never a union. An
   * epoch no member voted on freezes only on a node alone since it started.
   */
  async freezeBackfill(): Promise<void> {
    const { state, params, now, events } = this.components
    await this.commitRepairs()
    const required = requiredAgreement(params.byzantineThreshold)
    const nowMs = now()
    for (const r of this.askedAgain.keys()) if (!state.backfill.has(r)) this.askedAgain.delete(r)
    for (const r of [...state.backfill].sort((a, b) => a - b)) {
      if (r < state.replica.oldestRetainedEpoch || state.replica.isFinal(r)) {
        state.settled(r)
        continue
      }
      if (epochPhase(r, nowMs, params) !== 'final') continue
      // heard after r's final: a vote heard before may since have been superseded by the
      // voter's re-vote (an item admitted after close), which gossip did not bring here
      const voters = catchUpVoters(this.components, r, (v) => v.digest, epochFinalMs(r, params))
      if (voters.length === 0) {
        if (this.aloneSinceStart(nowMs)) await this.freezeCaughtUp(r)
        continue
      }
      const decision = catchUpDecision(voters, toHex(state.replica.digest(r)), required)
      if (decision.action === 'wait') {
        this.askVotersAgain(r, voters)
        continue
      }
      // No digest with the quorum yet: the voters may still be moving (a re-vote after an
      // admission goes out at the voter's own final at the latest, and a loaded machine
      // delivers it late), so the plurality is taken only once finalMs more have passed.
      if (!decision.agreed && nowMs < epochFinalMs(r, params) + params.finalMs) {
        this.askVotersAgain(r, voters)
        continue
      }
      if (decision.action === 'keep') await this.freezeCaughtUp(r)
      else if (decision.action === 'adopt') {
        const ids = this.heldSetBehind(r, decision.digestHex)
        if (ids !== undefined) await this.freezeCaughtUp(r, ids)
        else
          for (const originHex of decision.from)
            events.emit('repair:needed', {
              epoch: r,
              peerId: peerIdFromOrigin(fromHex(originHex)).toString(),
              digestHex: decision.digestHex,
            })
      }
    }
    // a concurrent call (a catch-up and a vote refresh finishing together) may be writing
    // a freeze this one skipped: return once those are done too
    await Promise.all(this.freezing.values())
  }

  /**
   * Once it is final, and again every epoch while it still waits: its voters' newest
   * votes, by sync (`catch-up:wanted`; repair.ts). Votes heard before the final may have
   * been superseded by a re-vote this node's gossip missed (it was joining their mesh):
   * seen in restart-phases under load, where the restarted node froze a superseded
   * digest. Asked once only, a refresh lost to a busy queue left the epoch to the next
   * anti-entropy round (12 epochs, seen under stress-ng).
   */
  private askVotersAgain(r: number, voters: readonly CatchUpVoter[]): void {
    const { now, params, events } = this.components
    const nowMs = now()
    if (nowMs < (this.askedAgain.get(r) ?? Number.NEGATIVE_INFINITY) + params.epochMs) return
    this.askedAgain.set(r, nowMs)
    const peerIds = voters.map((v) => peerIdFromOrigin(fromHex(v.originHex)).toString())
    events.emit('catch-up:wanted', { epoch: r, peerIds })
  }

  /** The ids behind a digest of epoch r, when known and all held here. */
  private heldSetBehind(r: number, digestHex: string): string[] | undefined {
    const { state, params } = this.components
    const ids =
      digestHex === toHex(epochDigest(params.network, r, [])) ? [] : state.idsBehind(r, digestHex)
    return ids?.every((id) => state.replica.has(id)) === true ? ids : undefined
  }

  /**
   * No counted vote on an epoch: frozen only by a node alone since start (no member known
   * then, none connected or heard since) once finalMs have passed, never on nobody's word
   * where members exist: they may have voted while this node cannot hear them.
   */
  private aloneSinceStart(nowMs: number): boolean {
    const { state, params } = this.components
    return (
      !this.knewMembers &&
      state.caughtUp.size === 0 &&
      this.connectedMembers().length === 0 &&
      nowMs - state.startedAtMs >= params.finalMs
    )
  }

  private async freezeCaughtUp(r: number, ids?: string[]): Promise<void> {
    const { state, selfHex } = this.components
    state.settled(r)
    await this.freeze(r, ids)
    // a vote this node gave before catching up says what it no longer holds
    const voted = state.votes.voteOf(r, selfHex)
    if (voted !== undefined && toHex(voted.digest) !== toHex(state.replica.digest(r)))
      await this.votes.publish(r)
  }

  /** Where an epoch is frozen: its folded set is fixed and written. Once per epoch. */
  private freeze(r: number, ids?: string[]): Promise<void> {
    if (this.components.state.replica.isFinal(r)) return Promise.resolve()
    // the clock and a back-fill may ask at once: the second waits for the first's write
    let running = this.freezing.get(r)
    if (running === undefined) {
      running = this.freezeOnce(r, ids).finally(() => this.freezing.delete(r))
      this.freezing.set(r, running)
    }
    return running
  }

  /** `adopted`: exactly this set (catch-up took it from the voters of another digest). */
  private async freezeOnce(r: number, adopted?: string[]): Promise<void> {
    const { state, store, events } = this.components
    const replica = state.replica
    if (adopted !== undefined) {
      // Written (synced) before it is marked: the API never reports a beacon final that
      // is not yet on disk.
      await store.putFinal(r, [...adopted].sort().map(fromHex))
      replica.finalize(r, adopted)
    } else {
      // A repair may still add to the epoch during the write: then the new set is written
      // again; the check and the mark run with no await between them.
      let ids = replica.foldedIdsOf(r)
      for (;;) {
        if (ids.length > 0 || replica.summary(r).stored > 0)
          await store.putFinal(r, ids.map(fromHex))
        const now = replica.foldedIdsOf(r)
        if (now.length === ids.length && now.every((id, i) => id === ids[i])) break
        ids = now
      }
      replica.finalize(r)
    }
    // its contributions, already on disk one per value, are rewritten as one record
    const record = replica.frozenRecord(r)
    if (record !== undefined) store.frozen.queue(r, record)
    state.admission.forget(r)
    const beacon = replica.beacon(r)
    events.emit('epoch:final', {
      epoch: r,
      digestHex: toHex(replica.digest(r)),
      count: replica.foldedCount(r),
      ...(beacon !== undefined ? { beaconHex: toHex(beacon) } : {}),
    })
  }

  /** Persists repaired contributions and re-votes every closed epoch whose digest changed. */
  commitRepairs(): Promise<void> {
    const next = this.committing.then(() => this.commitRepairsOnce())
    this.committing = next.catch(() => undefined)
    return next
  }

  private async commitRepairsOnce(): Promise<void> {
    const { state, store, selfHex } = this.components
    await store.putContributions(state.takeRepaired())
    for (const r of state.takeDigestChanged()) {
      if (state.replica.isFinal(r)) continue
      // stored but not folded (trust 0) leaves the digest as voted: nothing to say again
      const voted = state.votes.voteOf(r, selfHex)
      if (voted !== undefined && this.votes.saysAsVoted(r, voted)) continue
      await this.votes.publish(r)
    }
  }

  /** A closed epoch's held commits moved (admitted after close): vote again at once. */
  revoteCommits(r: number): void {
    this.components.state.digestChanged.add(r)
    void this.commitRepairs().catch((err: Error) =>
      this.log.warn(`re-vote after a commit: ${err.message}`),
    )
  }
}
