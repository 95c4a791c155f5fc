import { randomBytes } from 'node:crypto'
import {
  type AlaraServices,
  createAlaraLibp2p,
  mergeConfig,
  msgIdFn,
  topicsOf,
} from '@alara/daemon'
import {
  DEFAULT_PARAMS,
  decodeContribution,
  decodeVote,
  encodeContribution,
  encodeVote,
  originOf,
  signContribution,
  signVote,
} from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { waitFor } from './wait.js'

/**
 * An attacker for the test suite: a libp2p peer built exactly as a daemon builds its own
 * (the daemon's createAlaraLibp2p: TCP, Noise, Yamux, gossipsub StrictNoSign with the
 * gossip message id of docs/PROTOCOL.md, the same topics), that signs with as many
 * throw-away Ed25519 identities as it likes and speaks the wire format through
 * @alara/protocol. It knows nothing a stranger would not.
 */

export interface Identity {
  key: PrivateKey
  peerId: PeerId
  origin: Uint8Array
}

/** A fresh Ed25519 identity: free, which is the point. */
export async function throwAway(): Promise<Identity> {
  const key = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(key)
  return { key, peerId, origin: originOf(peerId) }
}

export async function throwAways(n: number): Promise<Identity[]> {
  return Promise.all(Array.from({ length: n }, () => throwAway()))
}

/** An unknown protobuf field (15, varint 1) appended: same content, non-canonical bytes. */
export function padded(bytes: Uint8Array): Uint8Array {
  return new Uint8Array([...bytes, 0x78, 0x01])
}

/** The same message with a zeroed (forged) signature. */
export function forgedContribution(bytes: Uint8Array): Uint8Array {
  return encodeContribution({ ...decodeContribution(bytes), signature: new Uint8Array(64) })
}

export function forgedVote(bytes: Uint8Array): Uint8Array {
  return encodeVote({ ...decodeVote(bytes), signature: new Uint8Array(64) })
}

/**
 * A started libp2p node built exactly as a daemon builds its own (TCP, Noise, Yamux,
 * gossipsub StrictNoSign with the gossip message id, the daemon's frame limits), on
 * loopback: what the test attackers speak through.
 */
export async function startPeerNode(
  network: string,
  epochMs: number,
  privateKey: PrivateKey,
): Promise<Libp2p<AlaraServices>> {
  const node = await createAlaraLibp2p({
    privateKey,
    config: mergeConfig({
      network,
      epochMs,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      dht: false,
    }),
    msgIdFn,
    // the daemon's frame limits follow from the shared parameters, equal on every node
    params: DEFAULT_PARAMS,
  })
  await node.start()
  return node
}

export class Adversary {
  readonly topics: { contributions: string; votes: string }

  private constructor(
    readonly network: string,
    readonly epochMs: number,
    readonly node: Libp2p<AlaraServices>,
  ) {
    this.topics = topicsOf(network)
  }

  static async start(network: string, epochMs = 1000): Promise<Adversary> {
    const node = await startPeerNode(network, epochMs, await generateKeyPair('Ed25519'))
    const adversary = new Adversary(network, epochMs, node)
    node.services.pubsub.subscribe(adversary.topics.contributions)
    node.services.pubsub.subscribe(adversary.topics.votes)
    return adversary
  }

  get peerId(): string {
    return this.node.peerId.toString()
  }

  /** Dials a daemon and waits until gossipsub knows it as a subscriber of both topics. */
  async connect(ma: string, timeoutMs = 15_000): Promise<void> {
    const addr = multiaddr(ma)
    await this.node.dial(addr, { signal: AbortSignal.timeout(timeoutMs) })
    const id = addr.getComponents().findLast((c) => c.name === 'p2p')?.value
    const pubsub = this.node.services.pubsub
    const subscribed = (topic: string) =>
      pubsub.getSubscribers(topic).some((p) => p.toString() === id)
    await waitFor(
      () => subscribed(this.topics.contributions) && subscribed(this.topics.votes),
      (ok) => ok,
      { timeoutMs, intervalMs: 50, what: `${ma} to subscribe to the adversary's topics` },
    )
  }

  /** A signed, encoded contribution of `bitLength` random bits (default the maximum, 8192). */
  async contribution(
    who: Identity,
    opts: { seq: number; bitLength?: number; nowMs?: number },
  ): Promise<Uint8Array> {
    const bitLength = opts.bitLength ?? 8192
    const nowMs = opts.nowMs ?? Date.now()
    if (bitLength % 8 !== 0) throw new Error('whole bytes only: bitLength % 8 must be 0')
    const bits = new Uint8Array(randomBytes(bitLength / 8))
    return encodeContribution(
      await signContribution(who.key, {
        network: this.network,
        origin: who.origin,
        seq: opts.seq,
        epoch: Math.floor(nowMs / this.epochMs),
        timestampMs: nowMs,
        bitLength,
        bits,
      }),
    )
  }

  /** A signed, encoded vote for epoch r (random digest unless given). */
  async vote(
    who: Identity,
    r: number,
    digest?: Uint8Array,
    nowMs = Date.now(),
  ): Promise<Uint8Array> {
    return encodeVote(
      await signVote(who.key, {
        network: this.network,
        origin: who.origin,
        epoch: r,
        digest: digest ?? new Uint8Array(randomBytes(32)),
        count: 1,
        beacon: new Uint8Array(randomBytes(32)),
        timestampMs: nowMs,
      }),
    )
  }

  async publishContribution(bytes: Uint8Array): Promise<void> {
    await this.node.services.pubsub.publish(this.topics.contributions, bytes)
  }

  async publishVote(bytes: Uint8Array): Promise<void> {
    await this.node.services.pubsub.publish(this.topics.votes, bytes)
  }

  /**
   * Every epoch until `signal` aborts, each Sybil votes a random digest for the epochs
   * that just closed (the last two ended ones), as a node closing them would.
   */
  async sybilVotes(sybils: Identity[], signal: AbortSignal): Promise<number> {
    let sent = 0
    while (!signal.aborted) {
      const current = Math.floor(Date.now() / this.epochMs)
      for (const r of [current - 2, current - 1])
        for (const s of sybils) {
          await this.publishVote(await this.vote(s, r))
          sent++
        }
      await sleepUntil((current + 1) * this.epochMs + Math.floor(this.epochMs * 0.6), signal)
    }
    return sent
  }

  /**
   * Signs a flood ahead of time: for each of `epochs` future epochs (starting once the
   * signing is surely done), `perEpoch` maximum-size contributions from each Sybil origin,
   * timestamped inside their epoch so that each is valid when it is sent.
   *
   * "Surely done" is measured, not guessed: a sample is signed first (and thrown away),
   * and the lead assumes half the rate it showed. A fixed pessimistic 300 a second
   * put the flood ~90 s ahead where the signing takes ~10 s (3,000 a second at load 9);
   * an epoch the signing still overran is skipped by `flood`.
   */
  async presignFlood(
    sybils: Identity[],
    perEpoch: number,
    epochs: number,
  ): Promise<Map<number, Uint8Array[]>> {
    const sample = 300
    const started = performance.now()
    for (let i = 0; i < sample; i++)
      await this.contribution(sybils[i % sybils.length] as Identity, { seq: i })
    const perSecond = (sample * 1000) / (performance.now() - started) / 2
    const leadEpochs = Math.ceil(
      (sybils.length * perEpoch * epochs) / perSecond / (this.epochMs / 1000),
    )
    const first = Math.floor(Date.now() / this.epochMs) + leadEpochs + 1
    const out = new Map<number, Uint8Array[]>()
    for (let e = first; e < first + epochs; e++) {
      const batch: Uint8Array[] = []
      for (let i = 0; i < perEpoch; i++)
        for (const s of sybils)
          batch.push(
            await this.contribution(s, {
              seq: e * perEpoch + i,
              nowMs: e * this.epochMs + Math.floor((i * this.epochMs) / (perEpoch + 1)),
            }),
          )
      out.set(e, batch)
    }
    return out
  }

  /** Publishes each batch during its epoch (waiting for it); returns how many were sent. */
  async flood(batches: Map<number, Uint8Array[]>): Promise<number> {
    let sent = 0
    for (const [epoch, batch] of [...batches].sort((a, b) => a[0] - b[0])) {
      const now = Date.now()
      if (now >= (epoch + 1) * this.epochMs) continue // signing overran: skip that epoch
      await sleepUntil(epoch * this.epochMs)
      for (let i = 0; i < batch.length; i += 64) {
        if (Date.now() >= (epoch + 1) * this.epochMs) break
        await Promise.all(batch.slice(i, i + 64).map((b) => this.publishContribution(b)))
        sent += Math.min(64, batch.length - i)
      }
    }
    return sent
  }

  async stop(): Promise<void> {
    await this.node.stop()
  }
}

function sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
  const ms = Math.max(0, atMs - Date.now())
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        resolve()
      },
      { once: true },
    )
  })
}
