import { randomBytes } from 'node:crypto'
import {
  type Contribution,
  encodeContribution,
  epochOf,
  fromHex,
  healthTest,
  InvalidInputError,
  packBitString,
  signContribution,
  type VerifiedContribution,
  verifyContribution,
} from '@alara/protocol'
import type { PeerId } from '@libp2p/interface'
import type { AlaraComponents, Startable } from '../components.js'
import { BadRequestError, RateLimitedError } from '../errors.js'
import type { Topics } from '../p2p/gossip/topics.js'
import type { Logger } from '../util/logger.js'
import type { Ingest } from './ingest.js'

/** Exactly one source of entropy. */
export type InjectRequest = ({ bits: string } | { hex: string } | { random: number }) & {
  /** false: store and fold here only; peers get it by repair and catch-up */
  publish?: boolean
}

export interface InjectResponse {
  /** contribution ids, lowercase hex */
  ids: string[]
  epoch: number
  bitLength: number
  publishedTo: number
}

/**
 * What `inject` does before anything is signed: read the one source of entropy, cut it
 * into contributions of at most maxBits, and refuse bits that every peer would reject
 * (the SP 800-90B health tests are network validity, not local policy).
 */

/** Packed bits, most significant bit first, and how many of them count. */
export type Bits = { bits: Uint8Array; bitLength: number }

export function parseInjectInput(input: InjectRequest): Bits {
  const given = (['bits', 'hex', 'random'] as const).filter((k) => k in input)
  if (given.length !== 1) throw new BadRequestError('give exactly one of bits, hex or random')
  if ('bits' in input) return packBitString(input.bits)
  if ('hex' in input) {
    if (!/^([0-9a-fA-F]{2})+$/.test(input.hex))
      throw new InvalidInputError('hex must be a non-empty, even number of hex digits')
    const bits = fromHex(input.hex)
    return { bits, bitLength: bits.length * 8 }
  }
  const n = input.random
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidInputError(`random takes a positive number of bits, got ${n}`)
  const bits = new Uint8Array(randomBytes(Math.ceil(n / 8)))
  const spare = bits.length * 8 - n
  if (spare > 0)
    bits[bits.length - 1] = (bits[bits.length - 1] as number) & ((0xff << spare) & 0xff)
  return { bits, bitLength: n }
}

/** Cuts packed bits into pieces of at most `maxBits` bits (each re-packed from bit 0). */
export function splitBits(bits: Uint8Array, bitLength: number, maxBits: number): Bits[] {
  if (!Number.isSafeInteger(maxBits) || maxBits < 1)
    throw new InvalidInputError(`maxBits must be a positive integer, got ${maxBits}`)
  const out: Bits[] = []
  for (let start = 0; start < bitLength; start += maxBits) {
    const n = Math.min(maxBits, bitLength - start)
    const piece = new Uint8Array(Math.ceil(n / 8))
    for (let i = 0; i < n; i++) {
      const src = start + i
      if ((((bits[src >> 3] as number) >> (7 - (src & 7))) & 1) === 1)
        piece[i >> 3] = (piece[i >> 3] as number) | (0x80 >> (i & 7))
    }
    out.push({ bits: piece, bitLength: n })
  }
  return out
}

/** Throws ERR_INVALID_INPUT, naming the test and the piece, when any piece would be rejected. */
export function assertHealthy(pieces: Bits[]): void {
  for (const [i, p] of pieces.entries()) {
    const health = healthTest(p.bits, p.bitLength)
    const where = pieces.length > 1 ? ` (piece ${i + 1} of ${pieces.length})` : ''
    if (health.rct === 'fail')
      throw new InvalidInputError(
        `these bits fail the SP 800-90B repetition count test${where}: a run of ${health.longestRun} identical bits (41 or more); peers would reject them, nothing was published`,
      )
    if (health.apt === 'fail')
      throw new InvalidInputError(
        `these bits fail the SP 800-90B adaptive proportion test${where} (625 or more of 1024 bits alike); peers would reject them, nothing was published`,
      )
  }
}

export interface InjectInit {
  topics: Topics
  ingest: Pick<Ingest, 'announce'>
  waitForGossipPeer(peer: PeerId, timeoutMs: number): Promise<void>
}

/**
 * Signing this node's own contributions: checked, signed, written synced (acknowledged
 * means it survives a crash), folded, then published. One inject at a time, so sequence
 * numbers and the epoch quota are never raced.
 */
export class InjectService implements Startable {
  private readonly log: Logger
  private injecting: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly components: AlaraComponents,
    private readonly init: InjectInit,
  ) {
    this.log = components.logger('alara:inject')
  }

  start(): void {}

  async stop(): Promise<void> {
    await this.injecting.catch(() => undefined)
  }

  inject(input: InjectRequest): Promise<InjectResponse> {
    const run = this.injecting.then(() => this.injectNow(input))
    this.injecting = run.catch(() => undefined)
    return run
  }

  private async injectNow(input: InjectRequest): Promise<InjectResponse> {
    const { params, state, store, selfHex, privateKey, libp2p, events, now } = this.components
    const started = performance.now()
    const { bits, bitLength } = parseInjectInput(input)
    const pieces = splitBits(bits, bitLength, params.maxBits)
    assertHealthy(pieces)
    const nowMs = now()
    const epoch = epochOf(nowMs, params.epochMs)
    const used = state.replica.storedCountOf(selfHex, epoch)
    if (used + pieces.length > params.maxPerEpoch) {
      const left = params.maxPerEpoch - used
      const waitMs = (epoch + 1) * params.epochMs - nowMs
      throw new RateLimitedError(
        `this node may sign ${params.maxPerEpoch} contributions per epoch and ${left} are left (this needs ${pieces.length} of up to ${params.maxBits} bits); try again in ${waitMs} ms or inject less`,
        waitMs,
      )
    }
    const origin = fromHex(selfHex)
    const signed: Array<{ v: VerifiedContribution; encoded: Uint8Array }> = []
    let seq = state.seq
    for (const p of pieces) {
      const c: Contribution = await signContribution(privateKey, {
        network: params.network,
        origin,
        seq: ++seq,
        epoch,
        timestampMs: nowMs,
        bitLength: p.bitLength,
        bits: p.bits,
      })
      const encoded = encodeContribution(c)
      if (encoded.length > params.maxMessageBytes)
        throw new InvalidInputError(
          `a contribution of ${p.bitLength} bits encodes to ${encoded.length} bytes, above maxMessageBytes ${params.maxMessageBytes}; lower maxBits`,
        )
      signed.push({ v: verifyContribution(c), encoded })
    }
    // Durable first: acknowledged means it survives a crash.
    await store.putOwnContributions(
      signed.map((s) => ({ idHex: s.v.idHex, epoch, encoded: s.encoded })),
      seq,
    )
    state.seq = seq
    for (const s of signed)
      if (state.replica.add(s.v, nowMs) === 'added')
        this.init.ingest.announce(s.v, nowMs, 'inject', state.replica.isFolded(s.v.idHex))
    const reached = new Set<string>()
    // when the publish began (wall clock): where a receiver's `receivedMs` is measured from
    let publishedMs: number | undefined
    const pubsub = libp2p.services.pubsub
    const topic = this.init.topics.contributions
    if (input.publish !== false) {
      // Just connected (a daemon that has only started): give the peers' subscriptions a
      // moment to arrive, or the publish reaches nobody until repair.
      const peers = libp2p.getPeers()
      if (peers.length > 0 && pubsub.getSubscribers(topic).length === 0)
        await Promise.race(peers.map((p) => this.init.waitForGossipPeer(p, 1000)))
      publishedMs = now()
      for (const s of signed) {
        try {
          const res = await pubsub.publish(topic, s.encoded)
          for (const peer of res.recipients) reached.add(peer.toString())
        } catch (err) {
          // Stored and folded: sync delivers it once peers connect.
          this.log.debug(() => `publish failed: ${(err as Error).message}`)
        }
      }
    }
    const ids = signed.map((s) => s.v.idHex)
    events.emit('inject:done', {
      ids,
      epoch,
      ms: Math.round(performance.now() - started),
      ...(publishedMs === undefined ? {} : { publishedMs }),
    })
    return { ids, epoch, bitLength, publishedTo: reached.size }
  }
}
