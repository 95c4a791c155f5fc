import {
  DecodeError,
  decodeSyncRequest,
  decodeSyncResponse,
  encodeContribution,
  encodeSyncRequest,
  encodeSyncResponse,
  oldestRetainedEpoch,
  SYNC_LIMITS,
  SYNC_PROTOCOL,
  type SyncRequest,
  type SyncResponse,
  toHex,
} from '@alara/protocol'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { lpStream, Queue } from '@libp2p/utils'
import type { Libp2p } from 'libp2p'
import { hexToBytes } from './hex.js'
import type { AlaraServices } from './libp2p.js'
import type { Logger } from './logger.js'
import type { AlaraNode } from './service.js'

/**
 * The sync protocol /alara/sync/1.0.0: one request, one answer, per stream.
 *
 * Serving is bounded: at most MAX_INBOUND_STREAMS at once, every stream must finish
 * within STREAM_TIMEOUT_MS, frames above SYNC_LIMITS.maxFrameBytes or that do not decode
 * close the stream, and answers are cut to SYNC_LIMITS.
 *
 * Asking drives repair and catch-up: what a peer has that this node lacks is fetched,
 * checked by the same validation as gossip (signatures, health, quotas; a closed epoch
 * still takes it, a final one does not) and stored; changed digests are voted again.
 */

const MAX_INBOUND_STREAMS = 32
const MAX_OUTBOUND_STREAMS = 16
const STREAM_TIMEOUT_MS = 10_000
/** outbound sync work at once (repairs and catch-ups) */
const CONCURRENCY = 4
/** re-run catch-up with one connected peer this often (anti-entropy) */
const ANTI_ENTROPY_EPOCHS = 12

export class SyncService {
  private readonly queue = new Queue<void>({ concurrency: CONCURRENCY })
  private readonly inflight = new Set<string>()
  private antiEntropy: NodeJS.Timeout | undefined
  private caughtUpOnce = false

  constructor(
    private readonly node: AlaraNode,
    private readonly libp2p: Libp2p<AlaraServices>,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.libp2p.handle(
      SYNC_PROTOCOL,
      (stream, connection) => this.serve(stream, connection),
      {
        maxInboundStreams: MAX_INBOUND_STREAMS,
        maxOutboundStreams: MAX_OUTBOUND_STREAMS,
      },
    )
    this.node.onRepairNeeded = (epoch, peer) => this.scheduleRepair(peer, epoch)
    this.node.onPeerConnected = (peer) => this.scheduleCatchUp(peer)
    this.antiEntropy = setInterval(() => {
      const peers = this.libp2p.getPeers()
      const peer = peers[Math.floor(Math.random() * peers.length)]
      if (peer !== undefined) this.scheduleCatchUp(peer)
    }, ANTI_ENTROPY_EPOCHS * this.node.params.epochMs)
    // Connections made while the node was starting (bootstrap, peers remembered from the
    // peer store) fired no event this service heard: catch up with them now.
    for (const peer of this.libp2p.getPeers()) this.scheduleCatchUp(peer)
  }

  async stop(): Promise<void> {
    if (this.antiEntropy !== undefined) clearInterval(this.antiEntropy)
    this.node.onRepairNeeded = undefined
    this.node.onPeerConnected = undefined
    this.queue.clear()
    this.queue.abort()
    await this.libp2p.unhandle(SYNC_PROTOCOL).catch(() => undefined)
  }

  // ---- serving ------------------------------------------------------------------------

  private async serve(stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(STREAM_TIMEOUT_MS)
    const lp = lpStream(stream, { maxDataLength: SYNC_LIMITS.maxFrameBytes })
    try {
      const frame = await lp.read({ signal })
      let response: Uint8Array
      try {
        response = this.answer(decodeSyncRequest(frame.subarray()))
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err
        // A malformed frame ends the conversation: say why, then close.
        response = encodeSyncResponse({ status: 'bad-request', error: err.message })
      }
      await lp.write(response, { signal })
      await stream.close({ signal })
    } catch (err) {
      this.log.debug(`sync from ${connection.remotePeer.toString()}: ${(err as Error).message}`)
      stream.abort(err as Error)
    }
  }

  private answer(req: SyncRequest): Uint8Array {
    const node = this.node
    if (req.network !== node.params.network)
      return encodeSyncResponse({
        status: 'wrong-network',
        error: `this node is on network '${node.params.network}'`,
      })
    const replica = node.replica
    switch (req.kind) {
      case 'summaries':
        return encodeSyncResponse({
          status: 'ok',
          summaries: replica
            .summaries()
            .filter(
              (s) =>
                s.epoch >= req.fromEpoch && s.epoch <= req.toEpoch && (s.stored > 0 || s.final),
            ),
        })
      case 'ids':
        return encodeSyncResponse({
          status: 'ok',
          ids: replica.storedIdsOf(req.epoch).slice(0, SYNC_LIMITS.maxIds).map(hexToBytes),
        })
      case 'contributions': {
        const out: Uint8Array[] = []
        let bytes = 0
        for (const id of req.ids) {
          const v = replica.get(toHex(id))
          if (v === undefined) continue
          const encoded = encodeContribution(v.contribution)
          if (
            out.length >= SYNC_LIMITS.maxContributions ||
            bytes + encoded.length > SYNC_LIMITS.maxFrameBytes / 2
          )
            break
          out.push(encoded)
          bytes += encoded.length
        }
        return encodeSyncResponse({ status: 'ok', contributions: out })
      }
      case 'votes': {
        // Newest epochs first: when the answer is cut to fit, the recent votes are kept.
        const out: Uint8Array[] = []
        let bytes = 0
        const epochs = node.votes.epochs().filter((r) => r >= req.fromEpoch && r <= req.toEpoch)
        fill: for (const r of epochs.reverse())
          for (const vote of node.votes.votesOf(r)) {
            if (
              out.length >= SYNC_LIMITS.maxVotes ||
              bytes + vote.encoded.length > SYNC_LIMITS.maxFrameBytes / 2
            )
              break fill
            out.push(vote.encoded)
            bytes += vote.encoded.length
          }
        return encodeSyncResponse({ status: 'ok', votes: out })
      }
    }
  }

  // ---- asking -------------------------------------------------------------------------

  async request(peer: PeerId, req: SyncRequest, signal?: AbortSignal): Promise<SyncResponse> {
    const timeout = AbortSignal.timeout(STREAM_TIMEOUT_MS)
    const all = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
    const stream = await this.libp2p.dialProtocol(peer, SYNC_PROTOCOL, { signal: all })
    try {
      const lp = lpStream(stream, { maxDataLength: SYNC_LIMITS.maxFrameBytes })
      await lp.write(encodeSyncRequest(req), { signal: all })
      const response = decodeSyncResponse((await lp.read({ signal: all })).subarray())
      await stream.close({ signal: all }).catch(() => undefined)
      if (response.status !== 'ok')
        throw new Error(`peer ${peer.toString()} answered ${response.status}: ${response.error}`)
      return response
    } catch (err) {
      stream.abort(err as Error)
      throw err
    }
  }

  /** Repair of one epoch from one peer; repeated asks for the same pair are merged. */
  scheduleRepair(peer: PeerId, epoch: number): void {
    const key = `${peer.toString()}/${epoch}`
    if (this.inflight.has(key)) return
    this.inflight.add(key)
    this.queue
      .add(async () => {
        await this.repairEpoch(peer, epoch)
        await this.node.commitRepairs()
      })
      .catch((err: Error) =>
        this.log.debug(`repair of epoch ${epoch} from ${peer.toString()}: ${err.message}`),
      )
      .finally(() => this.inflight.delete(key))
  }

  scheduleCatchUp(peer: PeerId): void {
    const key = `${peer.toString()}/catch-up`
    if (this.inflight.has(key)) return
    this.inflight.add(key)
    this.queue
      .add(() => this.catchUp(peer))
      .catch((err: Error) => this.log.debug(`catch-up with ${peer.toString()}: ${err.message}`))
      .finally(() => this.inflight.delete(key))
  }

  /** Fetches what `peer` stores for `epoch` and this node lacks. Returns how many were added. */
  async repairEpoch(peer: PeerId, epoch: number): Promise<number> {
    const node = this.node
    if (node.replica.isFinal(epoch)) return 0
    const network = node.params.network
    const { ids } = await this.request(peer, { kind: 'ids', network, epoch })
    const missing = node.replica.missingFrom(ids.map(toHex))
    let added = 0
    for (let i = 0; i < missing.length; i += SYNC_LIMITS.maxContributions) {
      const chunk = missing.slice(i, i + SYNC_LIMITS.maxContributions).map(hexToBytes)
      const { contributions } = await this.request(peer, {
        kind: 'contributions',
        network,
        ids: chunk,
      })
      for (const bytes of contributions) {
        const result = node.ingest(bytes, true)
        if (result.verdict === 'accept') added++
        else if (result.verdict === 'reject')
          this.log.warn(
            `repair from ${peer.toString()}: rejected a contribution (${result.reason})`,
          )
      }
    }
    if (added > 0) this.log.debug(`repaired epoch ${epoch} from ${peer.toString()}: +${added}`)
    return added
  }

  /**
   * Compares epoch summaries over the retained window with `peer` and repairs every
   * epoch whose stored set differs; then fetches the peer's votes for the window so the
   * consensus view covers epochs this node did not see.
   */
  async catchUp(peer: PeerId): Promise<void> {
    const node = this.node
    const network = node.params.network
    const current = node.currentEpoch()
    const fromEpoch = Math.max(
      node.replica.oldestRetainedEpoch,
      oldestRetainedEpoch(
        current,
        Math.min(node.params.retainEpochs, SYNC_LIMITS.maxEpochSpan - 1),
      ),
    )
    const toEpoch = current
    const { summaries } = await this.request(peer, {
      kind: 'summaries',
      network,
      fromEpoch,
      toEpoch,
    })
    for (const theirs of summaries) {
      if (node.replica.isFinal(theirs.epoch)) continue
      const mine = node.replica.summary(theirs.epoch)
      if (toHex(mine.storedDigest) === toHex(theirs.storedDigest)) continue
      await this.repairEpoch(peer, theirs.epoch)
    }
    const { votes } = await this.request(peer, { kind: 'votes', network, fromEpoch, toEpoch })
    for (const bytes of votes) node.ingestVote(bytes)
    await node.commitRepairs()
    if (!this.caughtUpOnce) {
      this.caughtUpOnce = true
      await node.freezeBackfill()
    }
  }
}
