import {
  decodeSyncResponse,
  encodeSyncRequest,
  SYNC_LIMITS,
  SYNC_PROTOCOL,
  type SyncRequest,
  type SyncResponse,
} from '@alara/protocol'
import type { PeerId } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { Libp2p } from 'libp2p'
import { equals } from 'uint8arrays/equals'
import type { AlaraServices } from '../p2p/libp2p-node.js'
import { STREAM_TIMEOUT_MS } from './sync-server.js'

/** What asking a peer needs: one request, one answer (a fake in unit tests). */
export type SyncRequester = (
  peer: PeerId,
  req: SyncRequest,
  signal?: AbortSignal,
) => Promise<SyncResponse>

/** pages followed for one request at most (a hostile peer cannot keep an asker forever) */
export const MAX_PAGES = 1024

/** Asks `peer` one sync request on a new stream; any status but ok is an error. */
export function syncClient(libp2p: Libp2p<AlaraServices>): SyncRequester {
  return async (peer, req, signal) => {
    const timeout = AbortSignal.timeout(STREAM_TIMEOUT_MS)
    const all = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
    const stream = await libp2p.dialProtocol(peer, SYNC_PROTOCOL, {
      signal: all,
      runOnLimitedConnection: true,
    })
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
}

/**
 * Every page of one request: asks again with the answer's `nextCursor` until it is empty.
 * A cursor that does not move, or more than MAX_PAGES pages, ends it with an error.
 */
export async function* pagesOf(
  request: SyncRequester,
  peer: PeerId,
  req: SyncRequest,
  signal?: AbortSignal,
): AsyncGenerator<SyncResponse> {
  let cursor: Uint8Array | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    signal?.throwIfAborted()
    const res = await request(peer, cursor === undefined ? req : { ...req, cursor }, signal)
    yield res
    if (res.nextCursor.length === 0) return
    if (cursor !== undefined && equals(cursor, res.nextCursor))
      throw new Error(`peer ${peer.toString()} answered the same cursor twice`)
    cursor = res.nextCursor
  }
  throw new Error(`peer ${peer.toString()} answered more than ${MAX_PAGES} pages`)
}
