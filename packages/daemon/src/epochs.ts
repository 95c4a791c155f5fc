import {
  encodeVote,
  epochPhase,
  oldestRetainedEpoch,
  peerIdFromOrigin,
  requiredAgreement,
  signVote,
  toHex,
  voteId,
} from '@alara/protocol'
import type { AlaraComponents, Startable } from './components.js'
import { consensusOf } from './consensus-of.js'
import { EpochClock } from './epoch-clock.js'
import type { GossipService } from './gossip/validators.js'
import { hexToBytes } from './hex.js'
import type { Logger } from './logger.js'
import { backfillQuorum, type CountedVoter } from './sync/plan.js'

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
  private readonly freezing = new Map<number, Promise<void>>()

  constructor(
    private readonly components: AlaraComponents,
    private readonly init: EpochsInit,
  ) {
    this.log = components.logger('alara:epochs')
    this.clock = new EpochClock(
      components.params,
      { close: (r) => this.closeEpoch(r), finalize: (r) => this.finalizeEpoch(r) },
      (err) => this.log.error(`epoch clock: ${(err as Error).message}`),
      components.now,
    )
  }

  async start(): Promise<void> {
    const { state, params, now } = this.components
    // Epochs closed by the clock but not final yet at start: vote them now; peers' votes
    // then drive repair like for any other closed epoch.
    for (
      let r = this.clock.nextCloseEpoch - 1;
      r >= 0 && !state.replica.isFinal(r) && !state.backfill.has(r);
      r--
    ) {
      if (epochPhase(r, now(), params) !== 'closed') break
      await this.closeEpoch(r)
    }
    this.clock.start()
  }

  async stop(): Promise<void> {
    await this.clock.stop()
  }

  /** Closes epoch r: vote, then ask for repair from every vote already here that differs. */
  async closeEpoch(r: number): Promise<void> {
    const { state, selfHex, events } = this.components
    state.closed.add(r)
    state.digestChanged.delete(r)
    await this.publishVote(r)
    const digestHex = toHex(state.replica.digest(r))
    events.emit('epoch:closed', { epoch: r, digestHex, count: state.replica.foldedCount(r) })
    // the consensus at close, with the votes already here; later votes move it (ingest.ts)
    events.emitLazy('consensus:changed', () => ({ epoch: r, ...consensusOf(this.components, r) }))
    // Votes that arrived before I closed could not be compared yet.
    for (const vote of state.votes.votesOf(r))
      if (
        vote.originHex !== selfHex &&
        toHex(vote.digest) !== digestHex &&
        this.components.trust.isMember(vote.originHex)
      )
        events.emit('repair:needed', {
          epoch: r,
          peerId: peerIdFromOrigin(hexToBytes(vote.originHex)).toString(),
          digestHex: toHex(vote.digest),
        })
  }

  /** Epoch r is final by the clock: commit repairs, freeze it, move the window. */
  async finalizeEpoch(r: number): Promise<void> {
    const { state, params, now } = this.components
    await this.commitRepairs()
    await this.freeze(r)
    const current = state.currentEpoch(now())
    const oldest = oldestRetainedEpoch(current, params.retainEpochs)
    if (oldest > state.replica.oldestRetainedEpoch) {
      state.prune(oldest)
      await pruneStore(this.components, current)
    }
  }

  /**
   * Freezes the epochs that became final while this node was away, each once the members
   * `heard` (catch-ups completed) hold the quorum of its counted votes (backfillQuorum);
   * the others wait for more members to be heard, or leave with the retained window.
   */
  async freezeBackfill(heard: ReadonlySet<string>): Promise<void> {
    const { state, trust, selfHex, params } = this.components
    await this.commitRepairs()
    const required = requiredAgreement(params.byzantineThreshold)
    for (const r of [...state.backfill].sort((a, b) => a - b)) {
      if (r < state.replica.oldestRetainedEpoch || state.replica.isFinal(r)) {
        state.backfill.delete(r)
        continue
      }
      const voters: CountedVoter[] = []
      for (const v of state.votes.votesOf(r)) {
        if (v.originHex === selfHex) continue
        const standing = trust.standing(v.originHex)
        if (standing.member) voters.push({ originHex: v.originHex, trust: standing.trust })
      }
      if (!backfillQuorum(voters, heard, required)) continue
      state.backfill.delete(r)
      await this.freeze(r)
    }
  }

  /** Where an epoch is frozen: its folded set is fixed and written. Once per epoch. */
  private freeze(r: number): Promise<void> {
    if (this.components.state.replica.isFinal(r)) return Promise.resolve()
    // the clock and a back-fill may ask at once: the second waits for the first's write
    let running = this.freezing.get(r)
    if (running === undefined) {
      running = this.freezeOnce(r).finally(() => this.freezing.delete(r))
      this.freezing.set(r, running)
    }
    return running
  }

  private async freezeOnce(r: number): Promise<void> {
    const { state, store, events } = this.components
    const replica = state.replica
    // Written (synced) before it is marked: the API never reports a beacon final that is
    // not yet on disk. A repair may still add to the epoch during the write: then the new
    // set is written again; the check and the mark run with no await between them.
    let ids = replica.foldedIdsOf(r)
    for (;;) {
      if (ids.length > 0 || replica.summary(r).stored > 0)
        await store.putFinal(r, ids.map(hexToBytes))
      const now = replica.foldedIdsOf(r)
      if (now.length === ids.length && now.every((id, i) => id === ids[i])) break
      ids = now
    }
    replica.finalize(r)
    const beacon = replica.beacon(r)
    events.emit('epoch:final', {
      epoch: r,
      digestHex: toHex(replica.digest(r)),
      count: replica.foldedCount(r),
      ...(beacon !== undefined ? { beaconHex: toHex(beacon) } : {}),
    })
  }

  /** Persists repaired contributions and re-votes every closed epoch whose digest changed. */
  async commitRepairs(): Promise<void> {
    const { state, store, selfHex } = this.components
    await store.putContributions(state.takeRepaired())
    for (const r of state.takeDigestChanged()) {
      if (state.replica.isFinal(r)) continue
      // stored but not folded (trust 0) leaves the digest as voted: nothing to say again
      const voted = state.votes.voteOf(r, selfHex)
      if (voted !== undefined && toHex(voted.digest) === toHex(state.replica.digest(r))) continue
      await this.publishVote(r)
    }
  }

  /** Signs, records, stores and publishes this node's vote for epoch r. */
  private async publishVote(r: number): Promise<void> {
    const { state, store, selfHex, params, privateKey, now } = this.components
    const replica = state.replica
    const count = replica.foldedCount(r)
    const vote = await signVote(privateKey, {
      network: params.network,
      origin: hexToBytes(selfHex),
      epoch: r,
      digest: replica.digest(r),
      count,
      beacon: replica.beacon(r) ?? new Uint8Array(0),
      // strictly increasing per epoch, so a re-vote always replaces the previous one
      timestampMs: Math.max(now(), (state.votes.voteOf(r, selfHex)?.timestampMs ?? 0) + 1),
    })
    const encoded = encodeVote(vote)
    state.votes.record({
      idHex: toHex(voteId(vote)),
      originHex: selfHex,
      epoch: r,
      digest: vote.digest,
      timestampMs: vote.timestampMs,
      count,
      encoded,
    })
    await store.putVote(r, selfHex, encoded)
    await this.init.gossip.publishVote(r, encoded)
  }
}

/**
 * The store keeps `storeEpochs` (more than the replica's window): final epochs older
 * than the replica's window stay verifiable from disk (`alara beacon R --verify`).
 */
export async function pruneStore(components: AlaraComponents, current: number): Promise<void> {
  const { config, params, store } = components
  const oldest = oldestRetainedEpoch(current, Math.max(config.storeEpochs, params.retainEpochs))
  await store.pruneContributionsBefore(oldest)
  await store.pruneVotesBefore(oldest)
  await store.pruneFinalsBefore(oldest)
}
