/**
 * Response bodies of the control API (docs/API.md). They carry exactly the fields the
 * CLI's `--json` prints (shared/CLI.md), so `--json` output is the body as received.
 */

export interface IdResponse {
  peerId: string
  addresses: string[]
  network: string
  version: string
}

export interface PeerInfo {
  peerId: string
  addresses: string[]
  connected: boolean
  trust: number
  active: boolean
  contributions: number
  /** wall-clock time (ms since 1970) this peer was last heard from; null or 0 when never */
  lastSeenMs: number | null
  /** closed epochs it voted on, how many of those with this node's digest, its newest */
  epochsVoted: number
  epochsAgreed: number
  lastVoteEpoch: number | null
}

export interface PeersResponse {
  peers: PeerInfo[]
}

export interface ConnectResponse {
  peerId: string
  addresses: string[]
}

export interface TrustEntry {
  peerId: string
  trust: number
  active: boolean
}

export interface TrustListResponse {
  trust: TrustEntry[]
}

export interface TrustRemoveResponse {
  peerId: string
  removed: boolean
}

export type InjectRequest = ({ bits: string } | { hex: string } | { random: number }) & {
  /** false: store and fold locally only (peers get it by sync) */
  publish?: boolean
}

export interface InjectResponse {
  /** contribution ids, lowercase hex */
  ids: string[]
  epoch: number
  bitLength: number
  publishedTo: number
}

export interface PoolResponse {
  network: string
  /** the first N pool bits as a string of 0 and 1 */
  bits: string
  /** how many bits the pool holds, at most poolBits */
  bitLength: number
  folded: number
  stored: number
  digest: string
  creditBits: number
  ready: boolean
}

export interface OriginQuality {
  peerId: string
  trust: number
  contributions: number
  bits: number
  healthFailures: number
  lastSeenMs: number | null
  epochsVoted: number
  epochsAgreed: number
  lastVoteEpoch: number | null
}

export interface QualityResponse {
  shannonPerBit: number
  minEntropyPerBit: number
  poolBits: number
  creditBits: number
  origins: OriginQuality[]
}

export interface TestResult {
  name: string
  pValue: number | null
  /** null when the test does not apply (e.g. too few bits); `note` says why */
  passed: boolean | null
  note?: string
}

export interface TestsResponse {
  bits: number
  alpha?: number
  tests: TestResult[]
}

export type ConsensusStatus = 'agreed' | 'split' | 'pending'

export interface Voter {
  peerId: string
  digest: string
  trust: number
  agrees: boolean
}

export interface EpochConsensus {
  epoch: number
  status: ConsensusStatus
  /** trust-weighted share in [0, 1]; null while nobody voted */
  agreement: number | null
  digest: string
  count: number
  voters: Voter[]
  dissenters?: Array<{ peerId: string; digest: string }>
}

export interface ConsensusResponse {
  epochs: EpochConsensus[]
}

export interface BeaconResponse {
  epoch: number
  /** lowercase hex; empty for an epoch without contributions */
  beacon: string
  digest: string
  count: number
  contributions: string[]
  verified?: boolean
}

export interface RandomRequest {
  bytes: number
  epoch?: number
  allowLowEntropy?: boolean
}

export interface RandomResponse {
  /** lowercase hex */
  bytes: string
  epoch?: number
}

export interface StatusResponse {
  peerId: string
  network: string
  epoch: number
  /** connected peers */
  peers: number
  ready: boolean
  creditBits: number
  lastFinalEpoch: number | null
  /** the latest closed epoch's entry, null before any epoch closed */
  consensus: EpochConsensus | null
}

export interface ApiErrorBody {
  error: { code: string; message: string }
}
