import { randomBytes } from 'node:crypto'
import { answerOf } from '@alara/daemon'
import {
  type BookVote,
  decodeContribution,
  decodeSyncRequest,
  decodeSyncResponse,
  encodeContribution,
  encodeSyncRequest,
  originOf,
  type ProtocolParams,
  Replica,
  resolveParams,
  SYNC_LIMITS,
  SYNC_PROTOCOL,
  type SyncRequest,
  type SyncResponse,
  signContribution,
  toHex,
  VoteBook,
  verifyContribution,
} from '@alara/protocol'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import type { Stream } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p, type Libp2p } from 'libp2p'

/**
 * A small libp2p peer that speaks /alara/sync/1.0.0 with a real daemon, built with the
 * daemon's transport settings (TCP, noise, yamux, identify, ping; libp2p.ts): it can
 * serve a replica of its own (answers by the daemon's own `answerOf`), stay silent (read
 * a request, never answer), or attack: streams that never read their answer, requests
 * whose frame never ends, requests at full speed.
 */

export type SyncPeerMode = 'serve' | 'silent'

export interface SyncPeerInit {
  network: string
  /** protocol timing of the daemons it talks to */
  params?: Partial<ProtocolParams>
  mode?: SyncPeerMode
}

export class SyncPeer {
  readonly replica: Replica
  readonly votes = new VoteBook<BookVote & { encoded: Uint8Array }>()

  /** BEHIND: this peer knows the set behind its own digest only */
  idsBehind(epoch: number, digestHex: string): string[] | undefined {
    return toHex(this.replica.digest(epoch)) === digestHex
      ? this.replica.foldedIdsOf(epoch)
      : undefined
  }
  /** streams it holds open (the slow-loris ones) */
  readonly held: Stream[] = []
  readonly params: ProtocolParams

  private constructor(
    readonly libp2p: Libp2p,
    params: ProtocolParams,
  ) {
    this.params = params
    this.replica = new Replica({
      params,
      selfHex: toHex(originOf(libp2p.peerId)),
      trustOf: () => ({ trust: 1, active: true }),
    })
  }

  static async create(init: SyncPeerInit): Promise<SyncPeer> {
    const libp2p = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { maxConnections: 64 },
      services: {
        identify: identify(),
        ping: ping({ maxInboundStreams: 4, maxOutboundStreams: 4 }),
      },
    })
    const peer = new SyncPeer(libp2p, resolveParams({ network: init.network, ...init.params }))
    await libp2p.handle(
      SYNC_PROTOCOL,
      (stream) => (init.mode === 'silent' ? peer.holdSilently(stream) : peer.serve(stream)),
      { maxInboundStreams: 64 },
    )
    return peer
  }

  get peerId(): string {
    return this.libp2p.peerId.toString()
  }

  /** Stores `each` random contributions of `origins` throw-away origins in the epoch of `nowMs`. */
  /** peer ids of the throw-away origins storeSigned made (to list them in a trust store) */
  readonly origins: string[] = []

  async storeSigned(
    origins: number,
    each: number,
    nowMs = Date.now(),
    bitLength = 256,
  ): Promise<string[]> {
    const ids: string[] = []
    const epoch = Math.floor(nowMs / this.params.epochMs)
    for (let o = 0; o < origins; o++) {
      const key = await generateKeyPair('Ed25519')
      const peerId = peerIdFromPrivateKey(key)
      this.origins.push(peerId.toString())
      const origin = originOf(peerId)
      for (let seq = 1; seq <= each; seq++) {
        const signed = await signContribution(key, {
          network: this.params.network,
          origin,
          seq,
          epoch,
          timestampMs: nowMs,
          bitLength,
          bits: new Uint8Array(randomBytes(Math.ceil(bitLength / 8))),
        })
        const v = verifyContribution(decodeContribution(encodeContribution(signed)))
        if (this.replica.add(v, nowMs) === 'added') ids.push(v.idHex)
      }
    }
    return ids
  }

  async dial(target: string): Promise<void> {
    await this.libp2p.dial(multiaddr(target), { signal: AbortSignal.timeout(10_000) })
  }

  /** One request, its whole answer read and decoded (pages not followed). */
  async request(target: string, req: SyncRequest, signal?: AbortSignal): Promise<SyncResponse> {
    const stream = await this.libp2p.dialProtocol(multiaddr(target), SYNC_PROTOCOL, { signal })
    const lp = lpStream(stream, { maxDataLength: SYNC_LIMITS.maxFrameBytes })
    await lp.write(encodeSyncRequest(req), { signal })
    const answer = decodeSyncResponse((await lp.read({ signal })).subarray())
    await stream.close().catch(() => undefined)
    return answer
  }

  async ask(target: string, req: SyncRequest, signal?: AbortSignal): Promise<void> {
    await this.request(target, req, signal)
  }

  /** Opens `n` streams, writes `req` on each, and never reads: they stay held. */
  async openUnread(target: string, n: number, req: SyncRequest): Promise<number> {
    let opened = 0
    for (let i = 0; i < n; i++) {
      try {
        const stream = await this.libp2p.dialProtocol(multiaddr(target), SYNC_PROTOCOL, {
          signal: AbortSignal.timeout(5_000),
        })
        stream.send(lengthPrefixed(encodeSyncRequest(req)))
        this.held.push(stream)
        opened++
      } catch {
        // refused (over the daemon's stream limits): that is what is being tested
      }
    }
    return opened
  }

  /** Opens `n` streams announcing a request of maxRequestBytes and sending 16 bytes of it. */
  async openUnfinished(target: string, n: number): Promise<number> {
    let opened = 0
    for (let i = 0; i < n; i++) {
      try {
        const stream = await this.libp2p.dialProtocol(multiaddr(target), SYNC_PROTOCOL, {
          signal: AbortSignal.timeout(5_000),
        })
        const prefix = varint(SYNC_LIMITS.maxRequestBytes)
        stream.send(new Uint8Array([...prefix, ...new Uint8Array(16)]))
        this.held.push(stream)
        opened++
      } catch {
        // refused
      }
    }
    return opened
  }

  /** Sends `req` again and again on `parallel` streams at once until `signal`; answers read. */
  async flood(target: string, req: SyncRequest, parallel: number, signal: AbortSignal) {
    const counts = { answered: 0, failed: 0 }
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (!signal.aborted)
          try {
            await this.ask(target, req, AbortSignal.any([signal, AbortSignal.timeout(10_000)]))
            counts.answered++
          } catch {
            counts.failed++
            await new Promise((r) => setTimeout(r, 5))
          }
      }),
    )
    return counts
  }

  async stop(): Promise<void> {
    for (const s of this.held.splice(0)) s.abort(new Error('test over'))
    await this.libp2p.stop()
  }

  private async serve(stream: Stream): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: SYNC_LIMITS.maxRequestBytes })
    try {
      const req = decodeSyncRequest((await lp.read()).subarray())
      await lp.write(answerOf(this, this.params.network, req))
      await stream.close()
    } catch (err) {
      stream.abort(err as Error)
    }
  }

  /** Reads the request and never answers (until stopped). */
  private async holdSilently(stream: Stream): Promise<void> {
    this.held.push(stream)
  }
}

function varint(n: number): number[] {
  const out: number[] = []
  let v = n
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80)
    v >>>= 7
  }
  out.push(v)
  return out
}

function lengthPrefixed(frame: Uint8Array): Uint8Array {
  return new Uint8Array([...varint(frame.length), ...frame])
}
