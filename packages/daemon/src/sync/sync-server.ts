import { setTimeout as delay } from 'node:timers/promises'
import {
  DecodeError,
  decodeSyncRequest,
  encodeSyncResponse,
  SYNC_LIMITS,
  SYNC_PROTOCOL,
  type SyncRequest,
} from '@alara/protocol'
import type { Connection, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { AlaraComponents, Startable } from '../components.js'
import { RateLimiter } from '../util/bounded/rate-limiter.js'
import type { Logger } from '../util/logger.js'
import { answerOf } from './answers.js'

/**
 * Serving /alara/sync/1.0.0: one request, one answer (a page, answers.ts), per stream.
 * Bounded (docs/OPERATIONS.md "Limits"): streams per peer and in total (over: the stream
 * is closed unread), requests per peer per second (over: the request waits for a token
 * within the stream's deadline, else the stream is closed), a deadline per stream,
 * request frames of SYNC_LIMITS.maxRequestBytes, answers of one page
 * (SYNC_LIMITS.pageBytes), written with back-pressure: a reader that does not read holds
 * one page until the deadline closes its stream.
 */

export const SYNC_SERVER_LIMITS = Object.freeze({
  /** concurrent inbound sync streams of one peer (all its connections) */
  streamsPerPeer: 4,
  /** concurrent inbound sync streams in total */
  streamsTotal: 64,
  /** requests a peer may make per second, on average */
  requestsPerSecond: 20,
  /** ... and in a burst */
  requestBurst: 40,
  /** peers whose request rate is remembered (least recently seen forgotten first) */
  trackedPeers: 1024,
})

/** one sync stream's deadline, either side: request read, answer written */
export const STREAM_TIMEOUT_MS = 10_000
export const MAX_OUTBOUND_STREAMS = 16

export class SyncServer implements Startable {
  private readonly log: Logger
  private readonly perPeer = new Map<string, number>()
  private total = 0
  private readonly rates: RateLimiter

  constructor(private readonly components: AlaraComponents) {
    this.log = components.logger('alara:sync')
    this.rates = new RateLimiter({
      ratePerSec: SYNC_SERVER_LIMITS.requestsPerSecond,
      burst: SYNC_SERVER_LIMITS.requestBurst,
      maxKeys: SYNC_SERVER_LIMITS.trackedPeers,
    })
  }

  async start(): Promise<void> {
    await this.components.libp2p.handle(
      SYNC_PROTOCOL,
      (stream, connection) => this.serve(stream, connection),
      {
        maxInboundStreams: SYNC_SERVER_LIMITS.streamsPerPeer,
        maxOutboundStreams: MAX_OUTBOUND_STREAMS,
        // a member reached through a relay is repaired over it (within the relay's limits)
        runOnLimitedConnection: true,
      },
    )
  }

  async stop(): Promise<void> {
    await this.components.libp2p.unhandle(SYNC_PROTOCOL).catch(() => undefined)
  }

  /** Streams being served (tests, status). */
  get streams(): number {
    return this.total
  }

  private async serve(stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const held = this.perPeer.get(peer) ?? 0
    if (
      held >= SYNC_SERVER_LIMITS.streamsPerPeer ||
      this.total >= SYNC_SERVER_LIMITS.streamsTotal
    ) {
      const what =
        held >= SYNC_SERVER_LIMITS.streamsPerPeer ? 'sync-streams-per-peer' : 'sync-streams'
      this.limitHit(what, peer, 'closed')
      stream.abort(new Error(`${what} limit`))
      return
    }
    this.perPeer.set(peer, held + 1)
    this.total++
    try {
      await this.serveOne(stream, peer)
    } finally {
      this.total--
      const left = (this.perPeer.get(peer) ?? 1) - 1
      if (left <= 0) this.perPeer.delete(peer)
      else this.perPeer.set(peer, left)
    }
  }

  private async serveOne(stream: Stream, peer: string): Promise<void> {
    const signal = AbortSignal.timeout(STREAM_TIMEOUT_MS)
    const lp = lpStream(stream, { maxDataLength: SYNC_LIMITS.maxRequestBytes })
    try {
      const frame = await lp.read({ signal })
      await this.throttle(peer, signal)
      let response: Uint8Array
      let kind = 'malformed'
      try {
        const request = decodeSyncRequest(frame.subarray())
        kind = request.kind
        response = this.answer(request)
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err
        // A malformed frame ends the conversation: say why, then close.
        response = encodeSyncResponse({ status: 'bad-request', error: err.message })
      }
      await lp.write(response, { signal })
      await stream.close({ signal })
      this.components.events.emitLazy('sync:served', () => ({
        peerId: peer,
        kind,
        status: kind === 'malformed' ? 'bad-request' : 'answered',
      }))
    } catch (err) {
      this.log.debug(() => `sync from ${peer}: ${(err as Error).message}`)
      stream.abort(err as Error)
    }
  }

  /** Waits for the peer's next request token, or throws when it would miss the deadline. */
  private async throttle(peer: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      if (this.rates.take(peer)) return
      this.limitHit('sync-requests-per-peer', peer, 'ignored')
      await delay(this.rates.waitMs(peer), undefined, { signal })
    }
  }

  private limitHit(what: string, peer: string, action: 'closed' | 'ignored'): void {
    this.components.events.emitLazy('limit:hit', () => ({ what, peer, action }))
  }

  /** The encoded answer to one request (exposed for tests: no stream needed). */
  answer(req: SyncRequest): Uint8Array {
    const { params, state } = this.components
    const encoded = answerOf(state, params.network, req)
    if (encoded.length <= SYNC_LIMITS.maxFrameBytes) return encoded
    return encodeSyncResponse({
      status: 'too-large',
      error: `the answer is ${encoded.length} bytes, above the ${SYNC_LIMITS.maxFrameBytes}-byte frame; ask for less`,
    })
  }
}
