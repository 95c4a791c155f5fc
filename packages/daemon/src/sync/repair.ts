import {
  admissionDeadlineMs,
  epochCloseMs,
  epochDigest,
  fromHex,
  SYNC_LIMITS,
  toHex,
} from '@alara/protocol'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { Queue } from '@libp2p/utils'
import type { AlaraComponents, Startable } from '../components.js'
import type { EpochService } from '../node/epochs.js'
import type { Ingest } from '../node/ingest.js'
import type { Logger } from '../util/logger.js'
import {
  antiEntropyWindow,
  catchUpKey,
  catchUpWindow,
  epochsToRepair,
  reconnectScope,
} from './plan.js'
import { RepairQueue } from './repair-queue.js'
import { pagesOf, type SyncRequester } from './sync-client.js'

/**
 * Repair and catch-up: what a peer has that this node lacks is fetched, page by page,
 * through the ingest path (a closed epoch still takes it, a final one does not). Work
 * comes from events: `repair:needed` (a disagreeing vote), `peer:connected` (catch-up),
 * `catch-up:wanted` (a back-filled epoch's final votes), and a periodic anti-entropy
 * catch-up, each through a bounded queue (repair-queue.ts; the catch-up queue).
 */

export const REPAIR_LIMITS = Object.freeze({
  /** repair jobs (epoch, advertised digest) held; lowest priority dropped first */
  maxJobs: 64,
  /** voters kept per job to fall back on */
  maxCandidates: 16,
  /** repair attempts at once (one per peer; a job asks its voters in parallel) */
  concurrency: 8,
  /** one repair attempt's deadline */
  deadlineMs: 8_000,
  /** catch-ups waiting or running; more are refused until one ends */
  maxCatchUps: 16,
  /** catch-ups at once */
  catchUpConcurrency: 2,
  /** one catch-up's deadline (summaries, every differing epoch, votes) */
  catchUpDeadlineMs: 60_000,
})

/** re-run catch-up with one connected peer this often (anti-entropy) */
const ANTI_ENTROPY_EPOCHS = 12
/** peers whose last catch-up epoch is remembered (a reconnect then asks the recent epochs) */
const CAUGHT_UP_REMEMBERED = 1024

/** What a catch-up compares: the retained window, or the recent epochs (anti-entropy). */
export type CatchUpScope = 'window' | 'recent'

export interface RepairInit {
  ingest: Pick<Ingest, 'contribution' | 'vote' | 'admitHeld'>
  epochs: Pick<EpochService, 'commitRepairs' | 'freezeBackfill'>
  request: SyncRequester
  /** connected peers (anti-entropy and start-up catch-up) */
  peers: () => PeerId[]
  /** repair priority of a peer among members: higher first, dropped last; default 0 */
  priorityOf?: (peerId: string) => number
}

export class RepairService implements Startable {
  private readonly log: Logger
  private readonly repairs: RepairQueue
  private readonly catchUps = new Queue<void>({
    concurrency: REPAIR_LIMITS.catchUpConcurrency,
    maxSize: REPAIR_LIMITS.maxCatchUps,
  })
  private readonly inflight = new Set<string>()
  private readonly unsubscribe: Array<() => void> = []
  private antiEntropy: NodeJS.Timeout | undefined
  /** peer id → epoch of its last completed catch-up (oldest first, bounded) */
  private readonly caughtUpAt = new Map<string, number>()

  constructor(
    private readonly components: AlaraComponents,
    private readonly init: RepairInit,
  ) {
    this.log = components.logger('alara:repair')
    const { events } = components
    this.repairs = new RepairQueue({
      ...REPAIR_LIMITS,
      priorityOf: init.priorityOf ?? (() => 0),
      // an epoch this node closed admits nothing after its admission deadline: nothing is
      // asked then (an epoch caught up on is frozen by catch-up's rule instead)
      deadlineOf: (epoch) =>
        components.state.backfill.has(epoch)
          ? undefined
          : admissionDeadlineMs(epochCloseMs(epoch, components.params), components.params),
      now: components.now,
      run: async (peerId, epoch, signal, digestHex) => {
        const digest = /^[0-9a-f]{64}$/.test(digestHex) ? digestHex : undefined
        const fetched = await this.repairEpoch(peerIdFromString(peerId), epoch, signal, digest)
        await this.init.epochs.commitRepairs()
        // an epoch caught up on may now hold the set its quorum voted
        if (components.state.backfill.has(epoch)) await this.init.epochs.freezeBackfill()
        return fetched
      },
      onAttempt: ({ epoch, peerId, fetched, outcome }) => {
        if (outcome !== 'ok')
          this.log.debug(() => `repair of epoch ${epoch} from ${peerId}: ${outcome}`)
        events.emit('repair:done', { epoch, peerId, fetched, outcome })
      },
      onDropped: ({ epoch }) =>
        events.emitLazy('limit:hit', () => ({
          what: `repair-queue (epoch ${epoch})`,
          action: 'dropped' as const,
        })),
    })
  }

  start(): void {
    const { events, params } = this.components
    this.unsubscribe.push(
      events.on('repair:needed', ({ epoch, peerId, digestHex }) =>
        this.scheduleRepair(peerIdFromString(peerId), epoch, digestHex),
      ),
      events.on('peer:connected', ({ peerId }) =>
        this.scheduleCatchUp(
          peerIdFromString(peerId),
          reconnectScope(
            this.caughtUpAt.get(peerId),
            this.components.state.currentEpoch(this.components.now()),
            ANTI_ENTROPY_EPOCHS,
          ),
        ),
      ),
      // a back-filled epoch final without the quorum's final votes: its voters' votes again
      events.on('catch-up:wanted', ({ epoch, peerIds }) => {
        for (const peerId of peerIds) this.scheduleVoteRefresh(peerIdFromString(peerId), epoch)
      }),
      // a final epoch takes nothing more: its waiting jobs go
      events.on('epoch:final', ({ epoch }) => this.repairs.forget(epoch)),
    )
    this.antiEntropy = setInterval(() => {
      const peers = this.memberPeers()
      const peer = peers[Math.floor(Math.random() * peers.length)]
      if (peer !== undefined) this.scheduleCatchUp(peer, 'recent')
    }, ANTI_ENTROPY_EPOCHS * params.epochMs)
    // Connections made while the node was starting (bootstrap, peers remembered from the
    // peer store) fired no event this service heard: catch up with them now.
    for (const peer of this.memberPeers()) this.scheduleCatchUp(peer)
  }

  /** Repair and catch-up ask members only (docs/PROTOCOL.md, "Membership"). */
  private isMember(peer: PeerId): boolean {
    return this.components.trust.isMemberPeer(peer.toString())
  }

  private memberPeers(): PeerId[] {
    return this.init.peers().filter((p) => this.isMember(p))
  }

  stop(): void {
    if (this.antiEntropy !== undefined) clearInterval(this.antiEntropy)
    for (const off of this.unsubscribe.splice(0)) off()
    this.repairs.stop()
    this.catchUps.clear()
    this.catchUps.abort()
  }

  /** The repair queue (status, tests). */
  get queue(): Pick<RepairQueue, 'size' | 'running' | 'snapshot'> {
    return this.repairs
  }

  /**
   * Repair of `epoch` towards the digest `peer` advertised; any other voter of that
   * digest is a fallback. Without a digest the peer is its own job.
   */
  scheduleRepair(peer: PeerId, epoch: number, digestHex?: string): void {
    if (this.components.state.replica.isFinal(epoch) || !this.isMember(peer)) return
    const id = peer.toString()
    this.repairs.want(epoch, id, digestHex ?? `peer:${id}`)
  }

  /**
   * `window`: the whole retained window (a new connection); `recent`: the recent epochs
   * only (plan.ts, antiEntropyWindow), for an anti-entropy round or a member that
   * reconnects soon after its last catch-up (reconnectScope).
   */
  scheduleCatchUp(peer: PeerId, scope: CatchUpScope = 'window'): void {
    this.enqueue(peer, catchUpKey(peer.toString()), 'catch-up', (signal) =>
      this.catchUp(peer, signal, scope),
    )
  }

  /**
   * `peer`'s votes of `epoch` again (one small request), for a member already caught up
   * with; any other gets a whole catch-up. Counts the peer heard from when it began.
   */
  scheduleVoteRefresh(peer: PeerId, epoch: number): void {
    const origin = toHex(peer.toMultihash().bytes)
    const { state, params, now } = this.components
    if (!state.caughtUp.has(origin)) {
      this.scheduleCatchUp(peer)
      return
    }
    this.enqueue(peer, `votes:${peer.toString()}:${epoch}`, `votes of ${epoch}`, async (signal) => {
      const began = now()
      const req = {
        kind: 'votes',
        network: params.network,
        fromEpoch: epoch,
        toEpoch: epoch,
      } as const
      for await (const page of pagesOf(this.init.request, peer, req, signal))
        for (const bytes of page.votes) this.init.ingest.vote(bytes, { via: 'sync', from: peer })
      this.heard(origin, began)
      if (state.backfill.size > 0) await this.init.epochs.freezeBackfill()
    })
  }

  /** A member's catch-up job, once per `key` at a time, in the bounded catch-up queue. */
  private enqueue(
    peer: PeerId,
    key: string,
    what: string,
    job: (signal: AbortSignal) => Promise<void>,
  ): void {
    if (!this.isMember(peer) || this.inflight.has(key)) return
    if (this.catchUps.size >= REPAIR_LIMITS.maxCatchUps) {
      this.components.events.emitLazy('limit:hit', () => ({
        what: 'catch-up-queue',
        peer: peer.toString(),
        action: 'refused' as const,
      }))
      return
    }
    this.inflight.add(key)
    this.catchUps
      .add(() => job(AbortSignal.timeout(REPAIR_LIMITS.catchUpDeadlineMs)))
      .catch((err: Error) =>
        this.log.debug(() => `${what} with ${peer.toString()}: ${err.message}`),
      )
      .finally(() => this.inflight.delete(key))
  }

  /** `origin` was heard from by an exchange that began at `began` (this node's clock). */
  private heard(origin: string, began: number): void {
    const caughtUp = this.components.state.caughtUp
    caughtUp.set(origin, Math.max(caughtUp.get(origin) ?? began, began))
  }

  /**
   * Fetches what `peer` has for `epoch` and this node lacks: with `digestHex`, the ids
   * behind that digest (BEHIND), kept once they hash to it, whoever served them; without
   * one, or when the peer does not know them, every id it stores (IDS). Returns how many
   * contributions were added.
   */
  async repairEpoch(
    peer: PeerId,
    epoch: number,
    signal?: AbortSignal,
    digestHex?: string,
  ): Promise<number> {
    const { state } = this.components
    if (state.replica.isFinal(epoch)) return 0
    const behind =
      digestHex === undefined ? undefined : await this.idsBehind(peer, epoch, digestHex, signal)
    if (behind !== undefined) return this.fetchMissing(peer, epoch, behind, signal)
    let added = 0
    const req = { kind: 'ids', network: this.components.params.network, epoch } as const
    for await (const page of pagesOf(this.init.request, peer, req, signal)) {
      added += await this.fetchMissing(peer, epoch, page.ids.map(toHex), signal)
      if (state.replica.isFinal(epoch)) break
    }
    if (added > 0)
      this.log.debug(() => `repaired epoch ${epoch} from ${peer.toString()}: +${added}`)
    return added
  }

  /**
   * The ids behind `digestHex` of `epoch` as `peer` serves them, recorded when they hash
   * to it; undefined when the peer does not know them (or cannot say: an older node).
   */
  private async idsBehind(
    peer: PeerId,
    epoch: number,
    digestHex: string,
    signal?: AbortSignal,
  ): Promise<string[] | undefined> {
    const { state, params } = this.components
    const known = state.idsBehind(epoch, digestHex)
    if (known !== undefined) return known
    const served: Uint8Array[] = []
    const req = {
      kind: 'behind',
      network: params.network,
      epoch,
      digest: fromHex(digestHex),
    } as const
    try {
      for await (const page of pagesOf(this.init.request, peer, req, signal))
        served.push(...page.ids)
    } catch (err) {
      if (signal?.aborted === true) throw err
      return undefined
    }
    if (toHex(epochDigest(params.network, epoch, served)) !== digestHex) return undefined
    const ids = served.map(toHex).sort()
    // now vouchers for what they cover: items held for them may enter
    if (state.recordIdsBehind(epoch, digestHex, ids)) this.init.ingest.admitHeld(epoch)
    return ids
  }

  /** Fetches and ingests the ids of `epoch` this node lacks, from `peer`. */
  private async fetchMissing(
    peer: PeerId,
    epoch: number,
    ids: string[],
    signal?: AbortSignal,
  ): Promise<number> {
    const { state, params } = this.components
    let added = 0
    const missing = state.replica.missingFrom(ids)
    for (let i = 0; i < missing.length; i += SYNC_LIMITS.maxIds) {
      if (state.replica.isFinal(epoch)) break
      const batch = missing.slice(i, i + SYNC_LIMITS.maxIds).map(fromHex)
      const req = { kind: 'contributions', network: params.network, ids: batch } as const
      for await (const answer of pagesOf(this.init.request, peer, req, signal))
        added += await this.ingestAll(peer, answer.contributions)
    }
    return added
  }

  private async ingestAll(peer: PeerId, contributions: Uint8Array[]): Promise<number> {
    // verified side by side (the pool's threads), settled one by one as they finish
    const results = await Promise.all(
      contributions.map((bytes) =>
        this.init.ingest.contribution(bytes, { via: 'sync', from: peer }),
      ),
    )
    let added = 0
    for (const result of results) {
      if (result.verdict === 'accept') added++
      else if (result.verdict === 'reject')
        this.log.warn(`repair from ${peer.toString()}: rejected a contribution (${result.reason})`)
    }
    return added
  }

  /**
   * Compares epoch summaries with `peer` over the retained window (`scope` 'recent': the
   * recent epochs, unless back-fill waits) and repairs every epoch whose stored set
   * differs; then fetches the peer's votes for those epochs so the consensus view covers
   * epochs this node did not see. Each completed catch-up counts the peer as heard;
   * epochs that became final while this node was away freeze once the members heard hold
   * the quorum of their votes (EpochService.freezeBackfill).
   */
  async catchUp(peer: PeerId, signal?: AbortSignal, scope: CatchUpScope = 'window'): Promise<void> {
    const { state, params, now } = this.components
    const network = params.network
    const began = now()
    const current = state.currentEpoch(began)
    const oldest = state.replica.oldestRetainedEpoch
    // while epochs wait for back-fill, every catch-up is over the whole window
    const window =
      scope === 'recent' && state.backfill.size === 0
        ? antiEntropyWindow(current, params, oldest, ANTI_ENTROPY_EPOCHS)
        : catchUpWindow(current, params, oldest)
    const summaries = []
    const req = { kind: 'summaries', network, ...window } as const
    for await (const page of pagesOf(this.init.request, peer, req, signal))
      summaries.push(...page.summaries)
    // Votes first: after close an item enters on its vouchers, and the peer's votes are
    // those vouchers (its own, and the others' it relays).
    const votes = { kind: 'votes', network, ...window } as const
    for await (const page of pagesOf(this.init.request, peer, votes, signal))
      for (const bytes of page.votes) this.init.ingest.vote(bytes, { via: 'sync', from: peer })
    const origin = toHex(peer.toMultihash().bytes)
    // Re-checked one by one: an epoch may turn final while an earlier one is repaired.
    for (const epoch of epochsToRepair(state.replica, summaries)) {
      if (state.replica.isFinal(epoch)) continue
      const voted = state.votes.voteOf(epoch, origin)
      const digest = voted === undefined ? undefined : toHex(voted.digest)
      await this.repairEpoch(peer, epoch, signal, digest)
    }
    await this.init.epochs.commitRepairs()
    this.heard(origin, began)
    this.rememberCaughtUp(peer.toString(), current)
    if (state.backfill.size > 0) await this.init.epochs.freezeBackfill()
  }

  private rememberCaughtUp(peerId: string, epoch: number): void {
    this.caughtUpAt.delete(peerId) // re-inserted last: the map stays oldest first
    this.caughtUpAt.set(peerId, epoch)
    for (const oldest of this.caughtUpAt.keys()) {
      if (this.caughtUpAt.size <= CAUGHT_UP_REMEMBERED) break
      this.caughtUpAt.delete(oldest)
    }
  }
}
