import {
  AlaraError,
  type Contribution,
  decodeContribution,
  encodeContribution,
  encodeVote,
  epochOf,
  epochPhase,
  InvalidInputError,
  lastFinalEpoch,
  oldestRetainedEpoch,
  type PreDecoded,
  type ProtocolParams,
  peerIdFromOrigin,
  Replica,
  signContribution,
  signVote,
  toHex,
  type ValidationContext,
  type VerifiedContribution,
  type VerifiedVote,
  VoteBook,
  validateContribution,
  validateVote,
  verifyContribution,
} from '@alara/protocol'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { KEEP_ALIVE, type PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Libp2p } from 'libp2p'
import type {
  BeaconResponse,
  ConnectResponse,
  EpochConsensus,
  IdResponse,
  InjectRequest,
  InjectResponse,
  PeerInfo,
  PoolResponse,
  QualityResponse,
  RandomRequest,
  RandomResponse,
  StatusResponse,
  TestsResponse,
  TrustEntry,
  TrustRemoveResponse,
} from './api/types.js'
import { type DaemonConfig, protocolParams } from './config.js'
import { EpochClock } from './epoch-clock.js'
import { RateLimitedError } from './errors.js'
import { GossipIds } from './gossip.js'
import { hexToBytes } from './hex.js'
import { assertHealthy, parseInjectInput, splitBits } from './inject.js'
import { type AlaraServices, topicsOf } from './libp2p.js'
import type { Logger } from './logger.js'
import { NodeQueries } from './queries.js'
import type { Repo } from './repo.js'
import type { AlaraStore } from './store.js'
import { TrustBook } from './trust.js'

/**
 * The ALARA node: the replica and what feeds it (gossip, inject, sync), the trust store,
 * the epoch life cycle and votes, and every query of the control API. libp2p and the
 * store are handed in; everything it decides comes from @alara/protocol.
 */

/** What the control API calls; AlaraNode implements it. */
export interface NodeService {
  id(): IdResponse
  peers(): Promise<PeerInfo[]>
  connect(ma: string): Promise<ConnectResponse>
  trustList(): TrustEntry[]
  trustSet(peerId: string, trust: number, active: boolean): Promise<TrustEntry>
  trustRemove(peerId: string): Promise<TrustRemoveResponse>
  inject(input: InjectRequest): Promise<InjectResponse>
  pool(bits?: number): PoolResponse
  quality(): QualityResponse
  tests(): TestsResponse
  consensus(epochs: number): EpochConsensus[]
  beacon(epoch: number | 'latest', verify: boolean): Promise<BeaconResponse>
  random(req: RandomRequest): Promise<RandomResponse>
  status(): StatusResponse
}

/** A signed vote kept with what the VoteBook needs. */
export interface HeldVote {
  originHex: string
  epoch: number
  digest: Uint8Array
  timestampMs: number
  count: number
  encoded: Uint8Array
}

export interface AlaraNodeInit {
  repo: Repo
  config: DaemonConfig
  store: AlaraStore
  log: Logger
  now?: () => number
}

export class AlaraNode implements NodeService {
  readonly params: ProtocolParams
  readonly replica: Replica
  readonly votes = new VoteBook<HeldVote>()
  readonly gossip: GossipIds
  readonly topics: { contributions: string; votes: string }
  readonly selfHex: string
  private readonly repo: Repo
  private readonly config: DaemonConfig
  private readonly store: AlaraStore
  private readonly log: Logger
  private readonly now: () => number
  private readonly trust: TrustBook
  private readonly clock: EpochClock
  private readonly queries: NodeQueries
  /** epochs this node has closed (and voted), newest kept within the retained window */
  private readonly closed = new Set<number>()
  /** epochs final by the clock that this node did not see freeze: filled by catch-up */
  private readonly backfill = new Set<number>()
  /** health-test failures per origin (rejected contributions never reach the replica) */
  private readonly healthFailures = new Map<string, number>()
  private libp2p: Libp2p<AlaraServices> | undefined
  private seq: number
  private injecting: Promise<unknown> = Promise.resolve()
  private bootstrapTimer: NodeJS.Timeout | undefined
  /** called when a closed, non-final epoch's digest changed or a peer disagrees */
  onRepairNeeded: ((epoch: number, peer: PeerId) => void) | undefined
  /** called when a peer connects: catch-up */
  onPeerConnected: ((peer: PeerId) => void) | undefined

  private constructor(init: AlaraNodeInit, trust: TrustBook, seq: number) {
    this.repo = init.repo
    this.config = init.config
    this.store = init.store
    this.log = init.log
    this.now = init.now ?? Date.now
    this.params = protocolParams(init.config)
    this.trust = trust
    this.seq = seq
    const selfPeer = peerIdFromString(init.repo.peerId)
    this.selfHex = toHex(selfPeer.toMultihash().bytes)
    this.topics = topicsOf(this.params.network)
    this.gossip = new GossipIds()
    this.replica = new Replica({
      params: this.params,
      selfHex: this.selfHex,
      trustOf: (originHex) => this.trust.lookup(originHex, this.selfHex),
    })
    this.queries = new NodeQueries({
      params: this.params,
      selfHex: this.selfHex,
      peerId: init.repo.peerId,
      replica: this.replica,
      votes: this.votes,
      trust: this.trust,
      store: this.store,
      healthFailures: this.healthFailures,
      libp2p: () => this.libp2p,
      now: this.now,
      currentEpoch: () => this.currentEpoch(),
      isClosed: (r) => this.isClosed(r),
      hasClosed: (r) => this.closed.has(r),
    })
    this.clock = new EpochClock(
      this.params,
      { close: (r) => this.closeEpoch(r), finalize: (r) => this.finalizeEpoch(r) },
      (err) => this.log.error(`epoch clock: ${(err as Error).message}`),
      this.now,
    )
  }

  static async create(init: AlaraNodeInit): Promise<AlaraNode> {
    const params = protocolParams(init.config)
    const trust = await TrustBook.load(init.store, init.repo.peerId, params.defaultTrust)
    const node = new AlaraNode(init, trust, await init.store.lastSeq())
    await node.reload()
    return node
  }

  /** Restart: every stored contribution of the retained window back into the replica. */
  private async reload(): Promise<void> {
    const current = this.currentEpoch()
    const oldest = oldestRetainedEpoch(current, this.params.retainEpochs)
    await this.pruneStore(current)
    let loaded = 0
    for await (const bytes of this.store.contributionsFrom(oldest)) {
      try {
        // Re-verified: the store is ours, but a disk is not a signature.
        const v = verifyContribution(decodeContribution(bytes))
        if (this.replica.add(v) === 'added') loaded++
      } catch (err) {
        this.log.warn(`store: skipping an unreadable contribution (${(err as Error).message})`)
      }
    }
    // Epochs frozen before the restart stay exactly as they were frozen.
    const frozen = new Set<number>()
    for await (const { epoch, foldedIds } of this.store.finalsFrom(oldest)) {
      try {
        this.replica.finalize(epoch, foldedIds.map(toHex))
        frozen.add(epoch)
      } catch (err) {
        this.log.warn(
          `store: epoch ${epoch} cannot be restored as frozen (${(err as Error).message})`,
        )
      }
    }
    // Epochs that became final while this node was down (or before it first started) are
    // back-filled from peers by catch-up, then frozen: see freezeBackfill().
    const lastFinal = lastFinalEpoch(this.now(), this.params)
    if (lastFinal !== undefined)
      for (let r = oldest; r <= lastFinal; r++) if (!frozen.has(r)) this.backfill.add(r)
    for await (const bytes of this.store.votesFrom(oldest)) {
      try {
        this.recordVote(this.checkVote(bytes), bytes)
      } catch {
        // a vote from an older run that no longer validates is just dropped
      }
    }
    if (loaded > 0) this.log.info(`reloaded ${loaded} contributions from the store`)
  }

  // ---- life cycle ---------------------------------------------------------------------

  async start(libp2p: Libp2p<AlaraServices>): Promise<void> {
    this.libp2p = libp2p
    const pubsub = libp2p.services.pubsub
    pubsub.topicValidators.set(this.topics.contributions, (from, msg) =>
      this.onGossipContribution(from, msg.data, undefined),
    )
    pubsub.topicValidators.set(this.topics.votes, (from, msg) => this.onGossipVote(from, msg.data))
    pubsub.subscribe(this.topics.contributions)
    pubsub.subscribe(this.topics.votes)

    // libp2p 3 does not dial what discovery finds: mDNS and the DHT only report peers.
    libp2p.addEventListener('peer:discovery', (evt) => {
      const peer = evt.detail.id
      if (peer.equals(libp2p.peerId) || libp2p.getConnections(peer).length > 0) return
      libp2p.dial(peer, { signal: AbortSignal.timeout(10_000) }).catch((err: Error) => {
        this.log.debug(`dial ${peer.toString()} after discovery failed: ${err.message}`)
      })
    })
    libp2p.addEventListener('peer:connect', (evt) => {
      this.onPeerConnected?.(evt.detail)
    })
    this.startBootstrapRedial()
    // Epochs closed by the clock but not final yet at start: vote them now; peers' votes
    // then drive repair like for any other closed epoch.
    for (
      let r = this.clock.nextCloseEpoch - 1;
      r >= 0 && !this.replica.isFinal(r) && !this.backfill.has(r);
      r--
    ) {
      if (epochPhase(r, this.now(), this.params) !== 'closed') break
      await this.closeEpoch(r)
    }
    this.clock.start()
  }

  /** Freezes the epochs that became final while this node was away, as catch-up left them. */
  async freezeBackfill(): Promise<void> {
    await this.commitRepairs()
    for (const r of [...this.backfill].sort((a, b) => a - b)) {
      this.backfill.delete(r)
      if (r < this.replica.oldestRetainedEpoch || this.replica.isFinal(r)) continue
      await this.freeze(r)
    }
  }

  private async freeze(r: number): Promise<void> {
    this.replica.finalize(r)
    const ids = this.replica.foldedIdsOf(r)
    if (ids.length > 0 || this.replica.summary(r).stored > 0)
      await this.store.putFinal(r, ids.map(hexToBytes))
  }

  async stop(): Promise<void> {
    if (this.bootstrapTimer !== undefined) clearInterval(this.bootstrapTimer)
    await this.clock.stop()
    await this.injecting.catch(() => undefined)
    const pubsub = this.libp2p?.services.pubsub
    pubsub?.topicValidators.delete(this.topics.contributions)
    pubsub?.topicValidators.delete(this.topics.votes)
    await this.store.flush()
  }

  /** The bootstrap module dials its list once; a LAN peer that restarts is dialled again. */
  private startBootstrapRedial(): void {
    if (this.config.bootstrap.length === 0) return
    this.bootstrapTimer = setInterval(() => {
      const libp2p = this.libp2p
      if (libp2p === undefined) return
      for (const addr of this.config.bootstrap) {
        const ma = multiaddr(addr)
        const id = ma.getComponents().findLast((c) => c.name === 'p2p')?.value
        if (id === undefined || id === libp2p.peerId.toString()) continue
        if (libp2p.getConnections(peerIdFromString(id)).length > 0) continue
        libp2p.dial(ma, { signal: AbortSignal.timeout(5000) }).catch(() => undefined)
      }
    }, 5000)
  }

  // ---- time ---------------------------------------------------------------------------

  currentEpoch(): number {
    return epochOf(this.now(), this.params.epochMs)
  }

  isClosed(r: number): boolean {
    return this.closed.has(r) || epochPhase(r, this.now(), this.params) !== 'open'
  }

  // ---- receiving ----------------------------------------------------------------------

  private validationContext(viaRepair: boolean): ValidationContext {
    return {
      params: this.params,
      nowMs: this.now(),
      seen: (idHex) => this.replica.has(idHex),
      countFor: (originHex, epoch) => this.replica.storedCountOf(originHex, epoch),
      isClosed: (epoch) => this.isClosed(epoch),
      isFinal: (epoch) => this.replica.isFinal(epoch),
      viaRepair,
    }
  }

  private onGossipContribution(
    from: PeerId,
    data: Uint8Array,
    pre: PreDecoded | undefined,
  ): TopicValidatorResult {
    const result = this.ingest(data, false, pre)
    if (result.verdict !== 'accept')
      this.log.debug(`contribution from ${from.toString()}: ${result.verdict} ${result.reason}`)
    return result.verdict === 'accept'
      ? TopicValidatorResult.Accept
      : result.verdict === 'reject'
        ? TopicValidatorResult.Reject
        : TopicValidatorResult.Ignore
  }

  /**
   * Validates and, when valid, stores and folds one encoded contribution. Gossip and
   * repair both come through here; repair may fill epochs that are closed but not final.
   */
  ingest(
    data: Uint8Array,
    viaRepair: boolean,
    pre?: PreDecoded,
  ):
    | { verdict: 'accept'; v: VerifiedContribution }
    | { verdict: 'reject' | 'ignore'; reason: string } {
    const result = validateContribution(data, this.validationContext(viaRepair), pre)
    if (result.verdict !== 'accept') {
      // Health tests run before the signature check (they are cheaper); count a failure
      // against an origin only when the origin really signed it, or anyone could blame it.
      if (result.reason === 'HEALTH_RCT' || result.reason === 'HEALTH_APT') {
        try {
          const { originHex } = verifyContribution(pre?.contribution ?? decodeContribution(data))
          this.healthFailures.set(originHex, (this.healthFailures.get(originHex) ?? 0) + 1)
        } catch {
          // forged: not counted (the reject already costs the sender its score)
        }
      }
      return { verdict: result.verdict, reason: result.reason }
    }
    const v = result.contribution
    if (this.replica.add(v, this.now()) === 'added') {
      if (viaRepair)
        this.repaired.push({ idHex: v.idHex, epoch: v.contribution.epoch, encoded: data })
      else this.store.queueContribution(v.idHex, v.contribution.epoch, data)
      if (this.closed.has(v.contribution.epoch)) this.digestChanged.add(v.contribution.epoch)
    }
    return { verdict: 'accept', v }
  }

  /** Contributions added by repair since the last `commitRepairs` (written synced). */
  private repaired: Array<{ idHex: string; epoch: number; encoded: Uint8Array }> = []
  /** closed epochs whose digest changed since their last vote */
  private readonly digestChanged = new Set<number>()

  /** Persists repaired contributions and re-votes every closed epoch whose digest changed. */
  async commitRepairs(): Promise<void> {
    const batch = this.repaired
    this.repaired = []
    await this.store.putContributions(batch)
    const changed = [...this.digestChanged].sort((a, b) => a - b)
    this.digestChanged.clear()
    for (const r of changed) {
      if (this.replica.isFinal(r)) continue
      // stored but not folded (trust 0) leaves the digest as voted: nothing to say again
      const voted = this.votes.voteOf(r, this.selfHex)
      if (voted !== undefined && toHex(voted.digest) === toHex(this.replica.digest(r))) continue
      await this.publishVote(r)
    }
  }

  private checkVote(data: Uint8Array): VerifiedVote {
    const result = validateVote(data, { params: this.params, nowMs: this.now() })
    if (result.verdict !== 'accept')
      throw new AlaraError(`ERR_VOTE_${result.reason}`, result.message)
    return result.vote
  }

  private onGossipVote(from: PeerId, data: Uint8Array): TopicValidatorResult {
    const verdict = this.ingestVote(data)
    if (verdict.verdict !== 'accept')
      this.log.debug(`vote from ${from.toString()}: ${verdict.verdict} ${verdict.reason}`)
    return verdict.verdict === 'accept'
      ? TopicValidatorResult.Accept
      : verdict.verdict === 'reject'
        ? TopicValidatorResult.Reject
        : TopicValidatorResult.Ignore
  }

  /** Validates and records a vote (gossip or sync); a disagreeing one triggers repair. */
  ingestVote(
    data: Uint8Array,
  ): { verdict: 'accept' } | { verdict: 'reject' | 'ignore'; reason: string } {
    const result = validateVote(data, { params: this.params, nowMs: this.now() })
    if (result.verdict !== 'accept') return { verdict: result.verdict, reason: result.reason }
    const v = result.vote
    if (v.vote.epoch < this.replica.oldestRetainedEpoch)
      return { verdict: 'ignore', reason: 'TOO_OLD' }
    if (this.recordVote(v, data) !== 'stale') {
      void this.store.putVote(v.vote.epoch, v.originHex, data).catch((err: Error) => {
        this.log.warn(`store: vote not saved (${err.message})`)
      })
      this.checkAgainstMine(v)
    }
    return { verdict: 'accept' }
  }

  private recordVote(v: VerifiedVote, encoded: Uint8Array): 'new' | 'replaced' | 'stale' {
    return this.votes.record({
      originHex: v.originHex,
      epoch: v.vote.epoch,
      digest: v.vote.digest,
      timestampMs: v.vote.timestampMs,
      count: v.vote.count,
      encoded,
    })
  }

  /** A peer's vote for an epoch I closed that differs from my digest: repair from it. */
  private checkAgainstMine(v: VerifiedVote): void {
    const r = v.vote.epoch
    if (v.originHex === this.selfHex || !this.closed.has(r) || this.replica.isFinal(r)) return
    if (toHex(v.vote.digest) === toHex(this.replica.digest(r))) return
    this.onRepairNeeded?.(r, peerIdFromOrigin(v.vote.origin))
  }

  // ---- epochs -------------------------------------------------------------------------

  private async closeEpoch(r: number): Promise<void> {
    this.closed.add(r)
    this.digestChanged.delete(r)
    await this.publishVote(r)
    // Votes that arrived before I closed could not be compared yet.
    for (const vote of this.votes.votesOf(r))
      if (vote.originHex !== this.selfHex && toHex(vote.digest) !== toHex(this.replica.digest(r)))
        this.onRepairNeeded?.(r, peerIdFromOrigin(hexToBytes(vote.originHex)))
  }

  private async finalizeEpoch(r: number): Promise<void> {
    await this.commitRepairs()
    await this.freeze(r)
    const current = this.currentEpoch()
    const oldest = oldestRetainedEpoch(current, this.params.retainEpochs)
    if (oldest > this.replica.oldestRetainedEpoch) {
      this.replica.prune(oldest)
      this.votes.prune(oldest)
      for (const e of this.closed) if (e < oldest) this.closed.delete(e)
      await this.pruneStore(current)
    }
  }

  /**
   * The store keeps `storeEpochs` (more than the replica's window): final epochs older
   * than the replica's window stay verifiable from disk (`alara beacon R --verify`).
   */
  private async pruneStore(current: number): Promise<void> {
    const oldest = oldestRetainedEpoch(
      current,
      Math.max(this.config.storeEpochs, this.params.retainEpochs),
    )
    await this.store.pruneContributionsBefore(oldest)
    await this.store.pruneVotesBefore(oldest)
    await this.store.pruneFinalsBefore(oldest)
  }

  private async publishVote(r: number): Promise<void> {
    const libp2p = this.libp2p
    if (libp2p === undefined) return
    const count = this.replica.foldedCount(r)
    const vote = await signVote(this.repo.privateKey, {
      network: this.params.network,
      origin: hexToBytes(this.selfHex),
      epoch: r,
      digest: this.replica.digest(r),
      count,
      beacon: this.replica.beacon(r) ?? new Uint8Array(0),
      // strictly increasing per epoch, so a re-vote always replaces the previous one
      timestampMs: Math.max(this.now(), (this.votes.voteOf(r, this.selfHex)?.timestampMs ?? 0) + 1),
    })
    const encoded = encodeVote(vote)
    this.votes.record({
      originHex: this.selfHex,
      epoch: r,
      digest: vote.digest,
      timestampMs: vote.timestampMs,
      count,
      encoded,
    })
    await this.store.putVote(r, this.selfHex, encoded)
    await libp2p.services.pubsub.publish(this.topics.votes, encoded).catch((err: Error) => {
      this.log.debug(`vote ${r}: publish failed (${err.message})`)
    })
  }

  // ---- inject -------------------------------------------------------------------------

  inject(input: InjectRequest): Promise<InjectResponse> {
    const run = this.injecting.then(() => this.injectNow(input))
    this.injecting = run.catch(() => undefined)
    return run
  }

  private async injectNow(input: InjectRequest): Promise<InjectResponse> {
    const { bits, bitLength } = parseInjectInput(input)
    const pieces = splitBits(bits, bitLength, this.params.maxBits)
    assertHealthy(pieces)
    const nowMs = this.now()
    const epoch = epochOf(nowMs, this.params.epochMs)
    const used = this.replica.storedCountOf(this.selfHex, epoch)
    if (used + pieces.length > this.params.maxPerEpoch) {
      const left = this.params.maxPerEpoch - used
      const waitMs = (epoch + 1) * this.params.epochMs - nowMs
      throw new RateLimitedError(
        `this node may sign ${this.params.maxPerEpoch} contributions per epoch and ${left} are left (this needs ${pieces.length} of up to ${this.params.maxBits} bits); try again in ${waitMs} ms or inject less`,
      )
    }
    const origin = hexToBytes(this.selfHex)
    const signed: Array<{ v: VerifiedContribution; encoded: Uint8Array }> = []
    let seq = this.seq
    for (const p of pieces) {
      const c: Contribution = await signContribution(this.repo.privateKey, {
        network: this.params.network,
        origin,
        seq: ++seq,
        epoch,
        timestampMs: nowMs,
        bitLength: p.bitLength,
        bits: p.bits,
      })
      const encoded = encodeContribution(c)
      if (encoded.length > this.params.maxMessageBytes)
        throw new InvalidInputError(
          `a contribution of ${p.bitLength} bits encodes to ${encoded.length} bytes, above maxMessageBytes ${this.params.maxMessageBytes}; lower maxBits`,
        )
      signed.push({ v: verifyContribution(c), encoded })
    }
    // Durable first: acknowledged means it survives a crash.
    await this.store.putOwnContributions(
      signed.map((s) => ({ idHex: s.v.idHex, epoch, encoded: s.encoded })),
      seq,
    )
    this.seq = seq
    for (const s of signed) this.replica.add(s.v, nowMs)
    const reached = new Set<string>()
    const pubsub = this.libp2p?.services.pubsub
    if (pubsub !== undefined && input.publish !== false) {
      // Just connected (a daemon that has only started): give the peers' subscriptions a
      // moment to arrive, or the publish reaches nobody until repair.
      const peers = this.libp2p?.getPeers() ?? []
      if (peers.length > 0 && pubsub.getSubscribers(this.topics.contributions).length === 0)
        await Promise.race(peers.map((p) => this.waitForGossipPeer(p, 1000)))
      for (const s of signed) {
        try {
          const res = await pubsub.publish(this.topics.contributions, s.encoded)
          for (const peer of res.recipients) reached.add(peer.toString())
        } catch (err) {
          // Stored and folded: sync delivers it once peers connect.
          this.log.debug(`publish failed: ${(err as Error).message}`)
        }
      }
    }
    return {
      ids: signed.map((s) => s.v.idHex),
      epoch,
      bitLength,
      publishedTo: reached.size,
    }
  }

  // ---- queries (queries.ts) -------------------------------------------------------------

  id(): IdResponse {
    return this.queries.id()
  }

  peers(): Promise<PeerInfo[]> {
    return this.queries.peers()
  }

  pool(bits?: number): PoolResponse {
    return this.queries.pool(bits)
  }

  quality(): QualityResponse {
    return this.queries.quality()
  }

  tests(): TestsResponse {
    return this.queries.tests()
  }

  consensus(epochs: number): EpochConsensus[] {
    return this.queries.consensus(epochs)
  }

  beacon(epoch: number | 'latest', verify: boolean): Promise<BeaconResponse> {
    return this.queries.beacon(epoch, verify)
  }

  random(req: RandomRequest): Promise<RandomResponse> {
    return this.queries.random(req)
  }

  status(): StatusResponse {
    return this.queries.status()
  }

  async connect(ma: string): Promise<{ peerId: string; addresses: string[] }> {
    const libp2p = this.requireLibp2p()
    let addr: ReturnType<typeof multiaddr>
    try {
      addr = multiaddr(ma)
    } catch (err) {
      throw new InvalidInputError(`'${ma}' is not a multiaddr: ${(err as Error).message}`)
    }
    let conn: Awaited<ReturnType<typeof libp2p.dial>>
    try {
      conn = await libp2p.dial(addr, { signal: AbortSignal.timeout(10_000) })
      // A peer joined by hand is one the user wants: libp2p re-dials keep-alive peers.
      await libp2p.peerStore.merge(conn.remotePeer, { tags: { [KEEP_ALIVE]: {} } })
    } catch (err) {
      throw new AlaraError(
        'ERR_DIAL_FAILED',
        `could not connect to ${ma}: ${(err as Error).message}`,
      )
    }
    await this.waitForGossipPeer(conn.remotePeer, 3000)
    return { peerId: conn.remotePeer.toString(), addresses: [conn.remoteAddr.toString()] }
  }

  /**
   * A publish right after a dial, before the peer's subscription arrived, reaches nobody
   * (repair delivers it later). `connect` returns once the peer is a gossip peer, so an
   * inject that follows reaches it at once; a peer of another network never becomes one,
   * hence the bound.
   */
  private async waitForGossipPeer(peer: PeerId, timeoutMs: number): Promise<void> {
    const pubsub = this.requireLibp2p().services.pubsub
    const subscribed = () =>
      pubsub.getSubscribers(this.topics.contributions).some((p) => p.equals(peer))
    if (subscribed()) return
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        pubsub.removeEventListener('subscription-change', check)
        resolve()
      }
      const check = () => {
        if (subscribed()) done()
      }
      const timer = setTimeout(done, timeoutMs)
      pubsub.addEventListener('subscription-change', check)
    })
  }

  trustList(): Array<{ peerId: string; trust: number; active: boolean }> {
    return this.trust.list().sort((a, b) => (a.peerId < b.peerId ? -1 : 1))
  }

  async trustSet(
    peerId: string,
    trust: number,
    active: boolean,
  ): Promise<{ peerId: string; trust: number; active: boolean }> {
    const { originHex } = await this.trust.set(peerId, trust, active)
    this.replica.setTrust(originHex, { trust, active })
    this.markChangedDigests()
    return { peerId, trust, active }
  }

  async trustRemove(peerId: string): Promise<{ peerId: string; removed: boolean }> {
    const { originHex } = await this.trust.remove(peerId)
    this.replica.setTrust(originHex, this.trust.lookup(originHex, this.selfHex))
    this.markChangedDigests()
    return { peerId, removed: true }
  }

  /** A trust change re-folds non-final epochs: those already voted are voted again. */
  private markChangedDigests(): void {
    // commitRepairs votes again only where the digest really moved
    for (const r of this.closed) this.digestChanged.add(r)
    void this.commitRepairs().catch((err: Error) => this.log.warn(`re-vote failed: ${err.message}`))
  }

  private requireLibp2p(): Libp2p<AlaraServices> {
    if (this.libp2p === undefined) throw new AlaraError('ERR_NOT_READY', 'the node is not started')
    return this.libp2p
  }
}

// ---- helpers --------------------------------------------------------------------------
