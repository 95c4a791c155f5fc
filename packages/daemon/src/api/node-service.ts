import type { TrustEntry } from '../membership/trust-book.js'
import type { TrustRemoveResponse } from '../membership/trust-service.js'
import type { InjectRequest, InjectResponse } from '../node/inject.js'
import type {
  BeaconResponse,
  ConnectResponse,
  EpochConsensus,
  IdResponse,
  PeerInfo,
  PoolResponse,
  QualityResponse,
  RandomRequest,
  RandomResponse,
  StatusResponse,
  TestsResponse,
} from './types.js'

/** What the control API calls (routes.ts); the daemon's services implement it (api/daemon-node-service.ts). */
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
