import type { NodeService } from '../api/node-service.js'
import type {
  BeaconResponse,
  EpochConsensus,
  PeerInfo,
  PoolResponse,
  QualityResponse,
  StatusResponse,
  TestsResponse,
} from '../api/types.js'
import type { InjectRequest, InjectResponse } from '../node/inject.js'

/** A fake node for API tests: records every call, answers canned values, throws when told to. */

export type Method = keyof NodeService

export class FakeNodeService implements NodeService {
  readonly calls: Array<{ method: Method; args: unknown[] }> = []
  /** method -> error it throws (synchronously for sync methods, as a rejection otherwise) */
  readonly failures = new Map<Method, unknown>()

  constructor(private readonly peerId: string) {}

  private record(method: Method, args: unknown[]): void {
    this.calls.push({ method, args })
    if (this.failures.has(method)) throw this.failures.get(method)
  }

  id() {
    this.record('id', [])
    return {
      peerId: this.peerId,
      addresses: ['/ip4/127.0.0.1/tcp/4590'],
      network: 'default',
      closed: false,
      version: '0.1.0',
      reachability: 'unknown' as const,
    }
  }
  async peers(): Promise<PeerInfo[]> {
    this.record('peers', [])
    return []
  }
  async connect(ma: string) {
    this.record('connect', [ma])
    return { peerId: this.peerId, addresses: [ma] }
  }
  trustList() {
    this.record('trustList', [])
    return [{ peerId: this.peerId, trust: 0.5, active: true, source: 'manual' as const }]
  }
  async trustSet(peerId: string, trust: number, active: boolean) {
    this.record('trustSet', [peerId, trust, active])
    return { peerId, trust, active, source: 'manual' as const }
  }
  async trustRemove(peerId: string) {
    this.record('trustRemove', [peerId])
    return { peerId, removed: true }
  }
  async inject(input: InjectRequest): Promise<InjectResponse> {
    this.record('inject', [input])
    return { ids: ['ab'.repeat(32)], epoch: 7, bitLength: 4, publishedTo: 0 }
  }
  pool(bits?: number): PoolResponse {
    this.record('pool', [bits])
    return {
      network: 'default',
      bits: '0101',
      bitLength: 4,
      folded: 1,
      stored: 1,
      digest: '00'.repeat(32),
      creditBits: 3,
      ready: false,
    }
  }
  quality(): QualityResponse {
    this.record('quality', [])
    return { shannonPerBit: 1, minEntropyPerBit: 1, poolBits: 4, creditBits: 3, origins: [] }
  }
  tests(): TestsResponse {
    this.record('tests', [])
    return { bits: 4, alpha: 0.01, tests: [] }
  }
  consensus(epochs: number): EpochConsensus[] {
    this.record('consensus', [epochs])
    return []
  }
  async beacon(epoch: number | 'latest', verify: boolean): Promise<BeaconResponse> {
    this.record('beacon', [epoch, verify])
    return {
      epoch: epoch === 'latest' ? 9 : epoch,
      beacon: '11'.repeat(32),
      status: 'revealed',
      commitsDigest: '33'.repeat(32),
      commits: [],
      withheld: [],
      equivocating: [],
      poolBeacon: '44'.repeat(32),
      digest: '22'.repeat(32),
      count: 1,
      contributions: [],
      final: true,
      ...(verify ? { verified: true } : {}),
    }
  }
  async random(req: { bytes: number; epoch?: number; allowLowEntropy?: boolean }) {
    this.record('random', [req])
    return { bytes: 'ff'.repeat(req.bytes) }
  }
  status(): StatusResponse {
    this.record('status', [])
    return {
      peerId: this.peerId,
      network: 'default',
      closed: false,
      version: '0.1.0',
      epoch: 10,
      epochMs: 10_000,
      peers: 0,
      members: 0,
      ready: false,
      creditBits: 0,
      folded: 0,
      stored: 0,
      lastFinalEpoch: null,
      consensus: null,
      reachability: 'unknown',
      reachabilitySinceMs: 0,
      peersDirect: 0,
      peersRelayed: 0,
      relayedAddresses: [],
      relay: null,
    }
  }
}
