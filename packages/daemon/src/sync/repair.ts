import { SYNC_LIMITS, toHex } from '@alara/protocol'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { Queue } from '@libp2p/utils'
import type { AlaraComponents, Startable } from '../components.js'
import type { EpochService } from '../epochs.js'
import { hexToBytes } from '../hex.js'
import type { Ingest } from '../ingest.js'
import type { Logger } from '../logger.js'
import type { SyncRequester } from './client.js'
import { catchUpKey, catchUpWindow, epochsToRepair, repairKey } from './plan.js'

/**
 * Repair and catch-up: what a peer has that this node lacks is fetched and goes through
 * the ingest path (signatures, health, quotas; a closed epoch still takes it, a final
 * one does not); changed digests are voted again. Work comes from events: `repair:needed`
 * (a disagreeing vote) and `peer:connected` (catch-up), plus a periodic anti-entropy
 * catch-up with one random peer.
 */

/** outbound sync work at once (repairs and catch-ups) */
const CONCURRENCY = 4
/** re-run catch-up with one connected peer this often (anti-entropy) */
const ANTI_ENTROPY_EPOCHS = 12

export interface RepairInit {
  ingest: Pick<Ingest, 'contribution' | 'vote'>
  epochs: Pick<EpochService, 'commitRepairs' | 'freezeBackfill'>
  request: SyncRequester
  /** connected peers (anti-entropy and start-up catch-up) */
  peers: () => PeerId[]
}

export class RepairService implements Startable {
  private readonly log: Logger
  private readonly queue = new Queue<void>({ concurrency: CONCURRENCY })
  private readonly inflight = new Set<string>()
  private readonly unsubscribe: Array<() => void> = []
  private antiEntropy: NodeJS.Timeout | undefined
  /** members whose catch-up completed since start (origin hex): back-fill's quorum */
  private readonly heard = new Set<string>()

  constructor(
    private readonly components: AlaraComponents,
    private readonly init: RepairInit,
  ) {
    this.log = components.logger('alara:repair')
  }

  start(): void {
    const { events, params } = this.components
    this.unsubscribe.push(
      events.on('repair:needed', ({ epoch, peerId }) =>
        this.scheduleRepair(peerIdFromString(peerId), epoch),
      ),
      events.on('peer:connected', ({ peerId }) => this.scheduleCatchUp(peerIdFromString(peerId))),
    )
    this.antiEntropy = setInterval(() => {
      const peers = this.memberPeers()
      const peer = peers[Math.floor(Math.random() * peers.length)]
      if (peer !== undefined) this.scheduleCatchUp(peer)
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
    this.queue.clear()
    this.queue.abort()
  }

  /** Repair of one epoch from one peer; repeated asks for the same pair are merged. */
  scheduleRepair(peer: PeerId, epoch: number): void {
    if (!this.isMember(peer)) return
    const key = repairKey(peer.toString(), epoch)
    if (this.inflight.has(key)) return
    this.inflight.add(key)
    let fetched = 0
    this.queue
      .add(async () => {
        fetched = await this.repairEpoch(peer, epoch)
        await this.init.epochs.commitRepairs()
      })
      .then(() => this.repairDone(epoch, peer, fetched, 'ok'))
      .catch((err: Error) => {
        this.log.debug(() => `repair of epoch ${epoch} from ${peer.toString()}: ${err.message}`)
        const timeout = err.name === 'TimeoutError' || err.name === 'AbortError'
        this.repairDone(epoch, peer, fetched, timeout ? 'timeout' : 'failed')
      })
      .finally(() => this.inflight.delete(key))
  }

  private repairDone(
    epoch: number,
    peer: PeerId,
    fetched: number,
    outcome: 'ok' | 'failed' | 'timeout',
  ): void {
    this.components.events.emit('repair:done', {
      epoch,
      peerId: peer.toString(),
      fetched,
      outcome,
    })
  }

  scheduleCatchUp(peer: PeerId): void {
    if (!this.isMember(peer)) return
    const key = catchUpKey(peer.toString())
    if (this.inflight.has(key)) return
    this.inflight.add(key)
    this.queue
      .add(() => this.catchUp(peer))
      .catch((err: Error) =>
        this.log.debug(() => `catch-up with ${peer.toString()}: ${err.message}`),
      )
      .finally(() => this.inflight.delete(key))
  }

  /** Fetches what `peer` stores for `epoch` and this node lacks. Returns how many were added. */
  async repairEpoch(peer: PeerId, epoch: number): Promise<number> {
    const { state, params } = this.components
    if (state.replica.isFinal(epoch)) return 0
    const network = params.network
    const { ids } = await this.init.request(peer, { kind: 'ids', network, epoch })
    const missing = state.replica.missingFrom(ids.map(toHex))
    let added = 0
    for (let i = 0; i < missing.length; i += SYNC_LIMITS.maxContributions) {
      const chunk = missing.slice(i, i + SYNC_LIMITS.maxContributions).map(hexToBytes)
      const { contributions } = await this.init.request(peer, {
        kind: 'contributions',
        network,
        ids: chunk,
      })
      // verified side by side (the pool's threads), settled one by one as they finish
      const results = await Promise.all(
        contributions.map((bytes) =>
          this.init.ingest.contribution(bytes, { via: 'sync', from: peer }),
        ),
      )
      for (const result of results) {
        if (result.verdict === 'accept') added++
        else if (result.verdict === 'reject')
          this.log.warn(
            `repair from ${peer.toString()}: rejected a contribution (${result.reason})`,
          )
      }
    }
    if (added > 0)
      this.log.debug(() => `repaired epoch ${epoch} from ${peer.toString()}: +${added}`)
    return added
  }

  /**
   * Compares epoch summaries over the retained window with `peer` and repairs every
   * epoch whose stored set differs; then fetches the peer's votes for the window so the
   * consensus view covers epochs this node did not see. Each completed catch-up counts
   * the peer as heard; epochs that became final while this node was away freeze once the
   * members heard hold the quorum of their votes (EpochService.freezeBackfill).
   */
  async catchUp(peer: PeerId): Promise<void> {
    const { state, params, now } = this.components
    const network = params.network
    const window = catchUpWindow(
      state.currentEpoch(now()),
      params,
      state.replica.oldestRetainedEpoch,
    )
    const { summaries } = await this.init.request(peer, { kind: 'summaries', network, ...window })
    // Re-checked one by one: an epoch may turn final while an earlier one is repaired.
    for (const epoch of epochsToRepair(state.replica, summaries))
      if (!state.replica.isFinal(epoch)) await this.repairEpoch(peer, epoch)
    const { votes } = await this.init.request(peer, { kind: 'votes', network, ...window })
    for (const bytes of votes) this.init.ingest.vote(bytes, { via: 'sync', from: peer })
    await this.init.epochs.commitRepairs()
    this.heard.add(toHex(peer.toMultihash().bytes))
    if (this.components.state.backfill.size > 0) await this.init.epochs.freezeBackfill(this.heard)
  }
}
