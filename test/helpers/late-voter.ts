import { randomBytes } from 'node:crypto'
import { type AlaraServices, topicsOf } from '@alara/daemon'
import {
  contributionId,
  decodeContribution,
  decodeSyncRequest,
  decodeVote,
  encodeContribution,
  encodeSyncResponse,
  encodeVote,
  epochDigest,
  fromHex,
  originOf,
  SYNC_LIMITS,
  SYNC_PROTOCOL,
  type SyncRequest,
  signContribution,
  signVote,
  toHex,
} from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey, Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import { startPeerNode } from './adversary.js'

/**
 * A dishonest LAN member for the admission tests, written from DESIGN.md and
 * docs/PROTOCOL.md (wire format, topics, the sync protocol's messages through
 * @alara/protocol's codecs), none of the daemon's logic: it hears the honest
 * contributions and votes by gossip, signs contributions it never gossips, votes digests
 * of its choosing at moments of its choosing, and answers sync requests as it likes: to
 * everyone, to one chosen peer only (the others' streams held open, unanswered), or to
 * nobody. Only the transport (the daemon's libp2p settings) is shared, so that it is a
 * peer like any other.
 */

/** Who gets answers to sync requests: every asker, one peer id, or nobody. */
export type ServePolicy = { kind: 'all' } | { kind: 'only'; peerId: string } | { kind: 'none' }

export class LateVoter {
  readonly topics: { contributions: string; votes: string }
  /** honest contributions heard by gossip: epoch → id hex → encoded */
  private readonly heard = new Map<number, Map<string, Uint8Array>>()
  /** contributions signed here and never gossiped: id hex → encoded */
  private readonly hidden = new Map<string, Uint8Array>()
  /** digest hex → ids behind it (its own votes' digests, and the honest ones it computed) */
  private readonly sets = new Map<string, string[]>()
  private readonly ownVotes: Uint8Array[] = []
  private readonly held: Stream[] = []
  private seq = 1
  /** who is answered about epoch r (requests naming it, or its hidden items); default all */
  readonly policies = new Map<number, ServePolicy>()
  /** sync requests seen: asker peer id and kind */
  readonly asked: Array<{ from: string; kind: SyncRequest['kind']; epoch?: number }> = []

  private constructor(
    readonly network: string,
    readonly epochMs: number,
    readonly node: Libp2p<AlaraServices>,
    private readonly key: PrivateKey,
  ) {
    this.topics = topicsOf(network)
  }

  static async start(network: string, epochMs: number): Promise<LateVoter> {
    const key = await generateKeyPair('Ed25519')
    const node = await startPeerNode(network, epochMs, key)
    const voter = new LateVoter(network, epochMs, node, key)
    const pubsub = node.services.pubsub
    pubsub.subscribe(voter.topics.contributions)
    pubsub.subscribe(voter.topics.votes)
    pubsub.addEventListener('message', (evt) => {
      if (evt.detail.topic === voter.topics.contributions) voter.hear(evt.detail.data)
    })
    await node.handle(SYNC_PROTOCOL, (stream, connection) => voter.serve(stream, connection), {
      maxInboundStreams: 256,
    })
    return voter
  }

  get peerId(): string {
    return this.node.peerId.toString()
  }

  async connect(ma: string): Promise<void> {
    await this.node.dial(multiaddr(ma), { signal: AbortSignal.timeout(15_000) })
  }

  private hear(data: Uint8Array): void {
    try {
      const c = decodeContribution(data)
      let epoch = this.heard.get(c.epoch)
      if (epoch === undefined) {
        epoch = new Map()
        this.heard.set(c.epoch, epoch)
      }
      epoch.set(toHex(contributionId(c)), data.slice())
    } catch {
      // not ours to judge
    }
  }

  /** The honest ids of epoch r as heard by gossip. */
  honestIds(r: number): string[] {
    return [...(this.heard.get(r)?.keys() ?? [])].sort()
  }

  /** Signs a contribution of epoch r that nobody has seen; returns its id. */
  async hiddenItem(r: number): Promise<string> {
    const signed = await signContribution(this.key, {
      network: this.network,
      origin: originOf(this.node.peerId),
      seq: this.seq++,
      epoch: r,
      timestampMs: r * this.epochMs + Math.floor(this.epochMs / 2),
      bitLength: 256,
      bits: new Uint8Array(randomBytes(32)),
    })
    const encoded = encodeContribution(signed)
    const id = toHex(contributionId(signed))
    this.hidden.set(id, encoded)
    return id
  }

  /** Gossips an encoded contribution (whoever signed it) to the peers it is connected to. */
  async publishContribution(bytes: Uint8Array): Promise<void> {
    await this.node.services.pubsub.publish(this.topics.contributions, bytes)
  }

  /** Signs and gossips a vote of epoch r covering exactly `ids`; returns its digest hex. */
  async vote(r: number, ids: string[]): Promise<string> {
    const sorted = [...ids].sort()
    const digest = epochDigest(
      this.network,
      r,
      sorted.map((id) => fromHex(id)),
    )
    const digestHex = toHex(digest)
    this.sets.set(digestHex, sorted)
    const encoded = encodeVote(
      await signVote(this.key, {
        network: this.network,
        origin: originOf(this.node.peerId),
        epoch: r,
        digest,
        count: sorted.length,
        beacon: sorted.length === 0 ? new Uint8Array(0) : new Uint8Array(randomBytes(32)),
        timestampMs: Date.now(),
      }),
    )
    this.ownVotes.push(encoded)
    await this.node.services.pubsub.publish(this.topics.votes, encoded)
    return digestHex
  }

  private async serve(stream: Stream, connection: { remotePeer: { toString(): string } }) {
    const from = connection.remotePeer.toString()
    const lp = lpStream(stream, { maxDataLength: SYNC_LIMITS.maxRequestBytes })
    try {
      const req = decodeSyncRequest((await lp.read()).subarray())
      this.asked.push({ from, kind: req.kind, ...('epoch' in req ? { epoch: req.epoch } : {}) })
      const p = this.policyFor(req)
      if (p.kind === 'none' || (p.kind === 'only' && p.peerId !== from)) {
        this.held.push(stream) // read, never answered: the asker's deadline is its own
        return
      }
      await lp.write(this.answer(req))
      await stream.close()
    } catch (err) {
      stream.abort(err as Error)
    }
  }

  /** The policy of the epoch a request is about: named, or that of a hidden item asked. */
  private policyFor(req: SyncRequest): ServePolicy {
    let epoch: number | undefined
    if (req.kind === 'ids' || req.kind === 'behind') epoch = req.epoch
    if (req.kind === 'contributions')
      for (const id of req.ids) {
        const bytes = this.hidden.get(toHex(id))
        if (bytes !== undefined) epoch = decodeContribution(bytes).epoch
      }
    return (epoch === undefined ? undefined : this.policies.get(epoch)) ?? { kind: 'all' }
  }

  /** Answers from what it holds: the honest contributions heard and its hidden ones. */
  private answer(req: SyncRequest): Uint8Array {
    switch (req.kind) {
      case 'summaries':
        return encodeSyncResponse({ status: 'ok', summaries: [] })
      case 'votes':
        return encodeSyncResponse({
          status: 'ok',
          votes: this.ownVotes.filter((v) => {
            const e = decodeVote(v).epoch
            return e >= req.fromEpoch && e <= req.toEpoch
          }),
        })
      case 'ids': {
        const ids = [...this.honestIds(req.epoch), ...this.hiddenOf(req.epoch)].sort()
        return encodeSyncResponse({ status: 'ok', ids: ids.map(fromHex) })
      }
      case 'behind': {
        const ids = this.sets.get(toHex(req.digest)) ?? []
        return encodeSyncResponse({ status: 'ok', ids: ids.map(fromHex) })
      }
      case 'contributions': {
        const out: Uint8Array[] = []
        for (const id of req.ids) {
          const hex = toHex(id)
          const bytes = this.hidden.get(hex) ?? this.findHeard(hex)
          if (bytes !== undefined) out.push(bytes)
        }
        return encodeSyncResponse({ status: 'ok', contributions: out })
      }
      case 'beacon':
        // a version-1 attacker: it holds no commits to serve
        return encodeSyncResponse({ status: 'ok' })
    }
  }

  private hiddenOf(r: number): string[] {
    return [...this.hidden].filter(([, b]) => decodeContribution(b).epoch === r).map(([id]) => id)
  }

  private findHeard(idHex: string): Uint8Array | undefined {
    for (const epoch of this.heard.values()) {
      const bytes = epoch.get(idHex)
      if (bytes !== undefined) return bytes
    }
    return undefined
  }

  /** Releases held streams (unanswered: they reset). */
  private releaseHeld(): void {
    for (const s of this.held.splice(0)) s.abort(new Error('not answering'))
  }

  async stop(): Promise<void> {
    this.releaseHeld()
    await this.node.stop()
  }
}
