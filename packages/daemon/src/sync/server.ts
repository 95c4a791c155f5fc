import {
  DecodeError,
  decodeSyncRequest,
  encodeContribution,
  encodeSyncResponse,
  SYNC_LIMITS,
  SYNC_PROTOCOL,
  type SyncRequest,
  toHex,
} from '@alara/protocol'
import type { Connection, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { AlaraComponents, Startable } from '../components.js'
import { hexToBytes } from '../hex.js'
import type { Logger } from '../logger.js'

/**
 * Serving /alara/sync/1.0.0: one request, one answer, per stream. Bounded: at most
 * MAX_INBOUND_STREAMS at once, every stream must finish within STREAM_TIMEOUT_MS, frames
 * above SYNC_LIMITS.maxFrameBytes or that do not decode close the stream, answers are cut
 * to SYNC_LIMITS, and an answer that still would not fit a frame is `too-large`.
 */

export const MAX_INBOUND_STREAMS = 32
export const MAX_OUTBOUND_STREAMS = 16
export const STREAM_TIMEOUT_MS = 10_000

export class SyncServer implements Startable {
  private readonly log: Logger

  constructor(private readonly components: AlaraComponents) {
    this.log = components.logger('alara:sync')
  }

  async start(): Promise<void> {
    await this.components.libp2p.handle(
      SYNC_PROTOCOL,
      (stream, connection) => this.serve(stream, connection),
      { maxInboundStreams: MAX_INBOUND_STREAMS, maxOutboundStreams: MAX_OUTBOUND_STREAMS },
    )
  }

  async stop(): Promise<void> {
    await this.components.libp2p.unhandle(SYNC_PROTOCOL).catch(() => undefined)
  }

  private async serve(stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(STREAM_TIMEOUT_MS)
    const lp = lpStream(stream, { maxDataLength: SYNC_LIMITS.maxFrameBytes })
    try {
      const frame = await lp.read({ signal })
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
        peerId: connection.remotePeer.toString(),
        kind,
        status: kind === 'malformed' ? 'bad-request' : 'answered',
      }))
    } catch (err) {
      this.log.debug(
        () => `sync from ${connection.remotePeer.toString()}: ${(err as Error).message}`,
      )
      stream.abort(err as Error)
    }
  }

  /** The encoded answer to one request (exposed for tests: no stream needed). */
  answer(req: SyncRequest): Uint8Array {
    const encoded = this.answerOf(req)
    if (encoded.length <= SYNC_LIMITS.maxFrameBytes) return encoded
    return encodeSyncResponse({
      status: 'too-large',
      error: `the answer is ${encoded.length} bytes, above the ${SYNC_LIMITS.maxFrameBytes}-byte frame; ask for less`,
    })
  }

  private answerOf(req: SyncRequest): Uint8Array {
    const { params, state } = this.components
    if (req.network !== params.network)
      return encodeSyncResponse({
        status: 'wrong-network',
        error: `this node is on network '${params.network}'`,
      })
    const replica = state.replica
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
        const epochs = state.votes.epochs().filter((r) => r >= req.fromEpoch && r <= req.toEpoch)
        fill: for (const r of epochs.reverse())
          for (const vote of state.votes.votesOf(r)) {
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
}
