import { randomBytes } from 'node:crypto'
import {
  AlaraError,
  agreement,
  bitString,
  decodeContribution,
  epochBeacon,
  epochDigest,
  lastClosedEpoch,
  lastFinalEpoch,
  mcvMinEntropyPerBitUnpacked,
  type ProtocolParams,
  peerIdFromOrigin,
  type Replica,
  runSp80022,
  shannonEntropyPerBit,
  sharedDraw,
  toHex,
  unpackBits,
  type VerifiedContribution,
  type VoteBook,
  verifyContribution,
} from '@alara/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Libp2p } from 'libp2p'
import type {
  BeaconResponse,
  EpochConsensus,
  PeerInfo,
  PoolResponse,
  QualityResponse,
  RandomRequest,
  RandomResponse,
  StatusResponse,
  TestsResponse,
} from './api/types.js'
import { NotFoundError } from './errors.js'
import { hexToBytes } from './hex.js'
import type { AlaraServices } from './libp2p.js'
import type { HeldVote } from './service.js'
import type { AlaraStore } from './store.js'
import { originHexOf, type TrustBook } from './trust.js'
import { VERSION } from './version.js'

/**
 * The read side of a node: every view the control API serves (pool, quality, tests,
 * consensus, beacons, draws, peers, status), computed from the node's state, changing
 * none of it (a private draw advances the replica's draw counter only).
 */

/** What the views read of the node. */
export interface NodeState {
  readonly params: ProtocolParams
  readonly selfHex: string
  readonly peerId: string
  readonly replica: Replica
  readonly votes: VoteBook<HeldVote>
  readonly trust: TrustBook
  readonly store: AlaraStore
  /** health-test failures per origin hex */
  readonly healthFailures: ReadonlyMap<string, number>
  libp2p(): Libp2p<AlaraServices> | undefined
  now(): number
  currentEpoch(): number
  /** closed by the clock (or voted by this node) */
  isClosed(r: number): boolean
  /** closed and voted by this node */
  hasClosed(r: number): boolean
}

/** Significance level of the SP 800-22 tests (STATISTICS.md). */
const ALPHA = 0.01

export class NodeQueries {
  constructor(private readonly node: NodeState) {}

  id(): { peerId: string; addresses: string[]; network: string; version: string } {
    return {
      peerId: this.node.peerId,
      addresses:
        this.node
          .libp2p()
          ?.getMultiaddrs()
          .map((ma) => ma.toString()) ?? [],
      network: this.node.params.network,
      version: VERSION,
    }
  }

  async peers(): Promise<PeerInfo[]> {
    const libp2p = this.node.libp2p()
    const ids = new Set<string>()
    const connected = new Set<string>()
    for (const p of libp2p?.getPeers() ?? []) {
      ids.add(p.toString())
      connected.add(p.toString())
    }
    for (const t of this.node.trust.list()) ids.add(t.peerId)
    const statsByPeer = new Map<string, ReturnType<Replica['allOriginStats']>[number]>()
    for (const s of this.node.replica.allOriginStats()) {
      if (s.originHex === this.node.selfHex) continue
      const peerId = peerIdFromOrigin(hexToBytes(s.originHex)).toString()
      statsByPeer.set(peerId, s)
      ids.add(peerId)
    }
    const voteStats = this.voteStatsByOrigin()
    const out: PeerInfo[] = []
    for (const peerId of [...ids].sort()) {
      if (peerId === this.node.peerId) continue
      const level = this.node.trust.levelOf(peerId)
      const stats = statsByPeer.get(peerId)
      let addresses: string[] = []
      if (libp2p !== undefined) {
        const conns = libp2p.getConnections(peerIdFromString(peerId))
        addresses = conns.map((c) => c.remoteAddr.toString())
        if (addresses.length === 0) {
          const info = await libp2p.peerStore.get(peerIdFromString(peerId)).catch(() => undefined)
          addresses = info?.addresses.map((a) => a.multiaddr.toString()) ?? []
        }
      }
      const votes = voteStats.get(originHexOf(peerId))
      out.push({
        peerId,
        addresses: [...new Set(addresses)],
        connected: connected.has(peerId),
        trust: level.trust,
        active: level.active,
        contributions: stats?.contributions ?? 0,
        lastSeenMs: stats?.lastSeenMs ?? null,
        epochsVoted: votes?.voted ?? 0,
        epochsAgreed: votes?.agreed ?? 0,
        lastVoteEpoch: votes?.last ?? null,
      })
    }
    return out
  }

  /** Per origin: closed epochs it voted on, of which in agreement with me, and its newest. */
  voteStatsByOrigin(): Map<string, { voted: number; agreed: number; last: number }> {
    const out = new Map<string, { voted: number; agreed: number; last: number }>()
    for (const r of this.node.votes.epochs()) {
      if (!this.node.hasClosed(r) && !this.node.replica.isFinal(r)) continue
      const mine = toHex(this.node.replica.digest(r))
      for (const vote of this.node.votes.votesOf(r)) {
        const s = out.get(vote.originHex) ?? { voted: 0, agreed: 0, last: r }
        s.voted++
        if (toHex(vote.digest) === mine) s.agreed++
        s.last = Math.max(s.last, r)
        out.set(vote.originHex, s)
      }
    }
    return out
  }

  pool(bits?: number): PoolResponse {
    const pool = this.node.replica.poolBits(bits)
    const full = this.node.replica.poolBits()
    return {
      network: this.node.params.network,
      bits: bitString(pool.bits, pool.bitLength),
      bitLength: full.bitLength,
      folded: this.node.replica.foldedCount,
      stored: this.node.replica.storedCount,
      digest: toHex(this.node.replica.poolDigest()),
      creditBits: this.node.replica.creditBits,
      ready: this.node.replica.ready,
    }
  }

  quality(): QualityResponse {
    const pool = this.node.replica.poolBits()
    const unpacked = unpackBits(pool.bits, pool.bitLength)
    const votes = this.voteStatsByOrigin()
    const voteFigures = (originHex: string) => {
      const v = votes.get(originHex)
      return {
        epochsVoted: v?.voted ?? 0,
        epochsAgreed: v?.agreed ?? 0,
        lastVoteEpoch: v?.last ?? null,
      }
    }
    const origins: QualityResponse['origins'] = this.node.replica.allOriginStats().map((s) => ({
      peerId: peerIdFromOrigin(hexToBytes(s.originHex)).toString(),
      trust: s.trust,
      active: s.active,
      contributions: s.contributions,
      bits: s.bits,
      healthFailures: this.node.healthFailures.get(s.originHex) ?? 0,
      lastSeenMs: s.lastSeenMs,
      creditBits: s.creditBits,
      ...voteFigures(s.originHex),
    }))
    // Origins whose every contribution failed the health tests still deserve a line.
    for (const [originHex, failures] of this.node.healthFailures) {
      if (this.node.replica.originStats(originHex) !== undefined) continue
      const level = this.node.trust.lookup(originHex, this.node.selfHex)
      origins.push({
        peerId: peerIdFromOrigin(hexToBytes(originHex)).toString(),
        trust: level.trust,
        active: level.active,
        contributions: 0,
        bits: 0,
        healthFailures: failures,
        lastSeenMs: 0,
        creditBits: 0,
        ...voteFigures(originHex),
      })
    }
    return {
      shannonPerBit: pool.bitLength === 0 ? 0 : shannonEntropyPerBit(unpacked),
      minEntropyPerBit: mcvMinEntropyPerBitUnpacked(unpacked),
      poolBits: pool.bitLength,
      creditBits: this.node.replica.creditBits,
      origins,
    }
  }

  tests(): TestsResponse {
    const pool = this.node.replica.poolBits()
    const results = runSp80022(unpackBits(pool.bits, pool.bitLength), ALPHA)
    return {
      bits: pool.bitLength,
      alpha: ALPHA,
      tests: results.map((t) => ({
        name: t.name,
        pValue: t.pValue,
        passed: t.passed,
        ...(t.skipped !== undefined ? { note: t.skipped } : {}),
      })),
    }
  }

  /** The newest `count` epochs this node has closed (or holds frozen), newest first. */
  recentClosedEpochs(count: number): number[] {
    const last = lastClosedEpoch(this.node.now(), this.node.params)
    if (last === undefined) return []
    const out: number[] = []
    const oldest = this.node.replica.oldestRetainedEpoch
    for (let r = last; r >= oldest && r >= 0 && out.length < count; r--)
      if (
        this.node.hasClosed(r) ||
        this.node.replica.isFinal(r) ||
        this.node.votes.votesOf(r).length > 0
      )
        out.push(r)
    return out
  }

  consensusOf(r: number): EpochConsensus {
    const result = agreement({
      myDigest: this.node.replica.digest(r),
      votes: this.node.votes.votesOf(r),
      selfHex: this.node.selfHex,
      trustOf: (originHex) => this.node.trust.lookup(originHex, this.node.selfHex),
      closed: this.node.isClosed(r),
      params: this.node.params,
    })
    const peerOf = (hex: string): string =>
      hex === this.node.selfHex ? this.node.peerId : peerIdFromOrigin(hexToBytes(hex)).toString()
    return {
      epoch: r,
      status: result.status,
      agreement: result.agreement,
      digest: result.digest,
      count: this.node.replica.count(r),
      final: this.node.replica.isFinal(r),
      voters: result.voters.map((v) => ({
        peerId: peerOf(v.originHex),
        digest: v.digest,
        trust: v.trust,
        agrees: v.agrees,
        counted: v.counted,
      })),
      dissenters: result.dissenters.map((v) => ({
        peerId: peerOf(v.originHex),
        digest: v.digest,
        trust: v.trust,
      })),
    }
  }

  consensus(epochs: number): EpochConsensus[] {
    return this.recentClosedEpochs(epochs).map((r) => this.consensusOf(r))
  }

  /** The beacon of a closed epoch: from the replica, or from disk for older final epochs. */
  async beacon(epoch: number | 'latest', verify = false): Promise<BeaconResponse> {
    const r = epoch === 'latest' ? this.latestBeaconEpoch() : epoch
    if (r < this.node.replica.oldestRetainedEpoch) return this.storedBeacon(r)
    if (!this.node.isClosed(r))
      throw new AlaraError('ERR_NOT_READY', `epoch ${r} is not closed yet`)
    const beacon = this.node.replica.beacon(r)
    if (beacon === undefined)
      throw new NotFoundError(`epoch ${r} has no folded contributions, so no beacon`)
    const folded = this.node.replica.foldedOf(r)
    const view: BeaconResponse = {
      epoch: r,
      beacon: toHex(beacon),
      digest: toHex(this.node.replica.digest(r)),
      count: folded.length,
      contributions: folded.map((v) => v.idHex),
      final: this.node.replica.isFinal(r),
    }
    if (verify) {
      const again = await this.recompute(r, view.contributions).catch(() => undefined)
      view.verified =
        again !== undefined && again.beacon === view.beacon && again.digest === view.digest
    }
    return view
  }

  private latestBeaconEpoch(): number {
    const found = this.recentClosedEpochs(Number.MAX_SAFE_INTEGER).find(
      (e) => this.node.replica.count(e) > 0,
    )
    if (found === undefined)
      throw new NotFoundError('no closed epoch has folded contributions yet, so there is no beacon')
    return found
  }

  /**
   * An epoch older than the replica's window: its frozen folded ids and signed
   * contributions are read back from disk and the beacon recomputed from them, so it is
   * verified by construction (a missing or forged contribution makes it fail).
   */
  private async storedBeacon(r: number): Promise<BeaconResponse> {
    const ids = await this.node.store.getFinal(r)
    if (ids === undefined)
      throw new NotFoundError(
        `epoch ${r} is not held here: older than the store's window, or no contribution was folded`,
      )
    if (ids.length === 0)
      throw new NotFoundError(`epoch ${r} has no folded contributions, so no beacon`)
    const idHexes = ids.map(toHex).sort()
    const again = await this.recompute(r, idHexes)
    return {
      epoch: r,
      beacon: again.beacon,
      digest: again.digest,
      count: idHexes.length,
      contributions: idHexes,
      final: true,
      verified: true,
    }
  }

  /**
   * Recomputes digest(r) and beacon(r) from the signed contributions as stored on disk,
   * each decoded and its signature checked again: what anyone holding them could do.
   * Throws when one is missing or does not verify.
   */
  private async recompute(r: number, ids: string[]): Promise<{ digest: string; beacon: string }> {
    const checked: VerifiedContribution[] = []
    for (const idHex of ids) {
      const bytes = await this.node.store.getContribution(r, idHex)
      if (bytes === undefined)
        throw new NotFoundError(`contribution ${idHex} of epoch ${r} is not stored`)
      const v = verifyContribution(decodeContribution(bytes))
      if (v.idHex !== idHex || v.contribution.epoch !== r)
        throw new AlaraError(
          'ERR_CORRUPT_STORE',
          `stored contribution ${idHex} is not what it claims`,
        )
      checked.push(v)
    }
    const sorted = checked.sort((a, b) => (a.idHex < b.idHex ? -1 : 1))
    const network = this.node.params.network
    const digest = epochDigest(
      network,
      r,
      sorted.map((c) => c.id),
    )
    const beacon = epochBeacon(
      network,
      r,
      digest,
      sorted.map((c) => c.contribution.bits),
    )
    return { digest: toHex(digest), beacon: toHex(beacon) }
  }

  async random(req: RandomRequest): Promise<RandomResponse> {
    if (req.epoch !== undefined) {
      const view = await this.beacon(req.epoch)
      const out = sharedDraw(
        hexToBytes(view.beacon),
        view.epoch,
        this.node.params.network,
        req.bytes,
        req.offset ?? 0,
      )
      return { bytes: toHex(out), epoch: view.epoch }
    }
    const out = this.node.replica.privateDraw(randomBytes(32), req.bytes, {
      allowLowEntropy: req.allowLowEntropy === true,
    })
    return { bytes: toHex(out) }
  }

  status(): StatusResponse {
    const latest = this.recentClosedEpochs(1)[0]
    return {
      peerId: this.node.peerId,
      network: this.node.params.network,
      version: VERSION,
      epoch: this.node.currentEpoch(),
      epochMs: this.node.params.epochMs,
      peers: this.node.libp2p()?.getPeers().length ?? 0,
      ready: this.node.replica.ready,
      creditBits: this.node.replica.creditBits,
      folded: this.node.replica.foldedCount,
      stored: this.node.replica.storedCount,
      lastFinalEpoch: lastFinalEpoch(this.node.now(), this.node.params) ?? null,
      consensus: latest === undefined ? null : this.consensusOf(latest),
    }
  }
}
