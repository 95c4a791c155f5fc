import { randomBytes } from 'node:crypto'
import { type AlaraServices, topicsOf } from '@alara/daemon'
import {
  ALPHA_BYTES,
  beaconOutcome,
  checkReveals,
  commitSet,
  commitValue,
  computeTimelockGenerator,
  contributionId,
  decodeCommit,
  decodeContribution,
  decodeReveal,
  encodeCommit,
  encodeContribution,
  encodeElement,
  encodeReveal,
  epochBeacon,
  epochDigest,
  fromHex,
  originOf,
  signCommit,
  signContribution,
  signReveal,
  toHex,
  type UnsignedContribution,
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
  /** epoch → contribution id hex → its bits (heard) */
  private readonly contributions = new Map<number, Map<string, Uint8Array>>()
  private seq = 1

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
    for (const topic of [
      peer.topics.commits,
      peer.topics.reveals,
      peer.topics.votes,
      peer.topics.contributions,
    ])
      pubsub.subscribe(topic)
    pubsub.addEventListener('message', (evt) => {
      if (evt.detail.topic === peer.topics.commits) peer.hearCommit(evt.detail.data)
      if (evt.detail.topic === peer.topics.reveals) peer.hearReveal(evt.detail.data)
      if (evt.detail.topic === peer.topics.contributions) peer.hearContribution(evt.detail.data)
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

  private hearContribution(data: Uint8Array): void {
    try {
      const c = decodeContribution(data)
      let epoch = this.contributions.get(c.epoch)
      if (epoch === undefined) {
        epoch = new Map()
        this.contributions.set(c.epoch, epoch)
      }
      epoch.set(toHex(contributionId(c)), c.bits.slice())
    } catch {
      // not ours to judge
    }
  }

  /**
   * Version 1's grinding (issue 18): with every honest contribution of epoch r heard, it
   * tries candidate contributions of its own offline until `untilMs`, computes the pool
   * beacon each would give (DESIGN.md's formulas), and signs and gossips only the one
   * whose beacon has the most leading zero bits. Returns those bits and the tries.
   */
  async grindPool(r: number, untilMs: number): Promise<{ zeros: number; tries: number }> {
    const honest = [...(this.contributions.get(r) ?? new Map<string, Uint8Array>())]
    let best: { zeros: number; unsigned: UnsignedContribution } | undefined
    let tries = 0
    const origin = originOf(this.node.peerId)
    const timestampMs = r * this.epochMs + Math.floor(this.epochMs / 2)
    while (Date.now() < untilMs || best === undefined) {
      const unsigned: UnsignedContribution = {
        network: this.network,
        origin,
        seq: this.seq,
        epoch: r,
        timestampMs,
        bitLength: 256,
        bits: new Uint8Array(randomBytes(32)),
      }
      const mine = toHex(contributionId(unsigned))
      const set = [...honest, [mine, unsigned.bits] as [string, Uint8Array]].sort((a, b) =>
        a[0] < b[0] ? -1 : 1,
      )
      const digest = epochDigest(
        this.network,
        r,
        set.map(([id]) => fromHex(id)),
      )
      const beacon = toHex(
        epochBeacon(
          this.network,
          r,
          digest,
          set.map(([, bits]) => bits),
        ),
      )
      const zeros = leadingZeroBits(beacon)
      if (best === undefined || zeros > best.zeros) best = { zeros, unsigned }
      tries++
    }
    this.seq++
    const signed = await signContribution(this.key, best.unsigned)
    await this.node.services.pubsub.publish(this.topics.contributions, encodeContribution(signed))
    return { zeros: best.zeros, tries }
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

  /** Contributions of epoch r heard (distinct ids). */
  heardContributions(r: number): number {
    return this.contributions.get(r)?.size ?? 0
  }

  async stop(): Promise<void> {
    await this.node.stop()
  }
}

/** Leading zero bits of a hex value (what a grinder pushes up). */
export function leadingZeroBits(hex: string): number {
  let n = 0
  for (const ch of hex) {
    const v = Number.parseInt(ch, 16)
    if (v === 0) n += 4
    else return n + Math.clz32(v) - 28
  }
  return n
}
