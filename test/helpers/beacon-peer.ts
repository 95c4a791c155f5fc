import { randomBytes } from 'node:crypto'
import { type AlaraServices, topicsOf } from '@alara/daemon'
import {
  ALPHA_BYTES,
  beaconOutcome,
  checkReveals,
  commitSet,
  commitValue,
  computeTimelockGenerator,
  decodeCommit,
  decodeReveal,
  encodeCommit,
  encodeElement,
  encodeReveal,
  fromHex,
  originOf,
  signCommit,
  signReveal,
  toHex,
  verifyCommit,
} from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { startPeerNode } from './adversary.js'

/**
 * A LAN member of version 2 for the beacon tests, written from DESIGN.md "The shared
 * beacon, version 2" with @alara/protocol's codecs and group arithmetic, none of the
 * daemon's logic: it commits when told (one commit, or two different ones: equivocation),
 * reveals when told or never (a withholder), and hears every commit and reveal gossiped,
 * so that the test can compute Ω_r itself from the signed messages, with its own α
 * revealed or not.
 */
export class BeaconPeer {
  readonly topics: ReturnType<typeof topicsOf>
  /** epoch → its α (the last committed) */
  private readonly alphas = new Map<number, Uint8Array>()
  /** epoch → origin hex → encoded commits heard (and its own) */
  private readonly commits = new Map<number, Map<string, Uint8Array[]>>()
  /** epoch → origin hex → α revealed (heard) */
  private readonly reveals = new Map<number, Map<string, Uint8Array>>()

  private constructor(
    readonly network: string,
    readonly epochMs: number,
    readonly T: number,
    readonly node: Libp2p<AlaraServices>,
    private readonly key: PrivateKey,
  ) {
    this.topics = topicsOf(network)
  }

  static async start(network: string, epochMs: number, T: number): Promise<BeaconPeer> {
    const key = await generateKeyPair('Ed25519')
    const node = await startPeerNode(network, epochMs, key)
    const peer = new BeaconPeer(network, epochMs, T, node, key)
    const pubsub = node.services.pubsub
    for (const topic of [peer.topics.commits, peer.topics.reveals, peer.topics.votes])
      pubsub.subscribe(topic)
    pubsub.addEventListener('message', (evt) => {
      if (evt.detail.topic === peer.topics.commits) peer.hearCommit(evt.detail.data)
      if (evt.detail.topic === peer.topics.reveals) peer.hearReveal(evt.detail.data)
    })
    return peer
  }

  get peerId(): string {
    return this.node.peerId.toString()
  }

  get originHex(): string {
    return toHex(originOf(this.node.peerId))
  }

  async connect(ma: string): Promise<void> {
    await this.node.dial(multiaddr(ma), { signal: AbortSignal.timeout(15_000) })
  }

  private hearCommit(data: Uint8Array): void {
    try {
      const v = verifyCommit(decodeCommit(data))
      this.keep(this.commits, v.commit.epoch, v.originHex, data.slice())
    } catch {
      // not a commit: not ours to judge
    }
  }

  private hearReveal(data: Uint8Array): void {
    try {
      const r = decodeReveal(data)
      let byOrigin = this.reveals.get(r.epoch)
      if (byOrigin === undefined) {
        byOrigin = new Map()
        this.reveals.set(r.epoch, byOrigin)
      }
      byOrigin.set(toHex(r.origin), r.alpha.slice())
    } catch {
      // ignore
    }
  }

  private keep(map: Map<number, Map<string, Uint8Array[]>>, r: number, o: string, b: Uint8Array) {
    let byOrigin = map.get(r)
    if (byOrigin === undefined) {
      byOrigin = new Map()
      map.set(r, byOrigin)
    }
    const list = byOrigin.get(o) ?? []
    if (!list.some((x) => toHex(x) === toHex(b))) list.push(b)
    byOrigin.set(o, list)
  }

  /** Signs and gossips a commit for epoch r (now must be inside r); returns it encoded. */
  async commit(r: number): Promise<Uint8Array> {
    const alpha = new Uint8Array(randomBytes(ALPHA_BYTES))
    const timestampMs = Date.now()
    if (Math.floor(timestampMs / this.epochMs) !== r)
      throw new Error(`commit for epoch ${r} asked outside it`)
    const signed = await signCommit(this.key, {
      network: this.network,
      origin: originOf(this.node.peerId),
      epoch: r,
      c: encodeElement(commitValue(alpha)),
      timestampMs,
    })
    const encoded = encodeCommit(signed)
    this.alphas.set(r, alpha)
    this.keep(this.commits, r, this.originHex, encoded)
    await this.node.services.pubsub.publish(this.topics.commits, encoded)
    return encoded
  }

  /** Signs and gossips its reveal of epoch r. */
  async reveal(r: number): Promise<void> {
    const alpha = this.alphas.get(r)
    if (alpha === undefined) throw new Error(`no commit of epoch ${r} to reveal`)
    const signed = await signReveal(this.key, {
      network: this.network,
      origin: originOf(this.node.peerId),
      epoch: r,
      alpha,
    })
    await this.node.services.pubsub.publish(this.topics.reveals, encodeReveal(signed))
  }

  /** Whether a commit of this origin (hex) for epoch r was heard. */
  heardCommit(r: number, originHex: string): boolean {
    return (this.commits.get(r)?.get(originHex)?.length ?? 0) > 0
  }

  /** Origins (hex) whose reveal of epoch r was heard. */
  revealedBy(r: number): string[] {
    return [...(this.reveals.get(r)?.keys() ?? [])]
  }

  /**
   * Ω_r computed here from the commits heard (one per origin; `members`, origin hex, the
   * set the nodes froze) and every α: the ones heard and its own, revealed or not. What
   * the honest nodes must output whether this peer revealed or not.
   */
  async omega(r: number, members: string[]): Promise<string> {
    const { h } = await computeTimelockGenerator(this.T)
    const heard = this.commits.get(r) ?? new Map<string, Uint8Array[]>()
    const set = commitSet(
      this.network,
      this.T,
      r,
      members.map((originHex) => {
        const [encoded] = heard.get(originHex) ?? []
        if (encoded === undefined) throw new Error(`no commit of ${originHex} heard in ${r}`)
        return { origin: fromHex(originHex), c: verifyCommit(decodeCommit(encoded)).c }
      }),
    )
    const alphas = new Map(this.reveals.get(r) ?? [])
    const own = this.alphas.get(r)
    if (own !== undefined) alphas.set(this.originHex, own)
    const check = checkReveals(
      set,
      [...alphas].map(([originHex, alpha]) => ({ origin: fromHex(originHex), alpha })),
    )
    const outcome = beaconOutcome(set, h, check)
    if (outcome.status !== 'revealed') throw new Error(`epoch ${r}: not every α is known here`)
    return toHex(outcome.beacon)
  }

  async stop(): Promise<void> {
    await this.node.stop()
  }
}
