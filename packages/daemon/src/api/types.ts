import type { SharedBeaconStatus } from '@alara/protocol'

/**
 * The control API's request and response bodies (docs/API.md), in one place: the daemon
 * produces them, the CLI consumes them (its `--json` prints them as received), tests
 * read them. Field names are those of shared/CLI.md's `--json` lists, plus extras. The
 * bodies a service takes or returns as they are live beside that service, since services
 * never import from api/: `InjectRequest`, `InjectResponse` (node/inject.ts), `TrustEntry`
 * (membership/trust-book.ts), `TrustRemoveResponse` (membership/trust-service.ts). The
 * package index exports them all.
 */

import type { TrustEntry } from '../membership/trust-book.js'
import type { ConnectionKind } from '../p2p/nat/connection-kind.js'
import type { NatStatus } from '../p2p/nat/nat-status.js'
import type { Reachability } from '../p2p/nat/reachability.js'

export type { ConnectionKind, Reachability }

export interface IdResponse {
  peerId: string
  addresses: string[]
  network: string
  /** holds a network key (network.key): a closed network, only key holders connect */
  closed: boolean
  version: string
  /** the public beacon API's base URL, when `publicApi` is on */
  publicApiUrl?: string
  /** when the Prometheus metrics listener is on (`/metrics` under it) */
  metricsUrl?: string
  /** AutoNAT's verdict (docs/OPERATIONS.md "Across the internet") */
  reachability: Reachability
}

export interface PeerInfo {
  peerId: string
  addresses: string[]
  connected: boolean
  trust: number
  active: boolean
  contributions: number
  /** wall-clock ms this peer's newest contribution was received; null when never */
  lastSeenMs: number | null
  /** a member here (docs/PROTOCOL.md, "Membership"): counted, folded, asked by repair */
  member: boolean
  /** closed epochs it voted on, how many of those with this node's digest, its newest */
  epochsVoted: number
  epochsAgreed: number
  lastVoteEpoch: number | null
  /** connected directly, or only through a circuit relay; null when not connected */
  connection: ConnectionKind | null
  /** wall-clock ms since which it has been so */
  connectionSinceMs: number | null
}

export interface PeersResponse {
  peers: PeerInfo[]
}

export interface ConnectRequest {
  multiaddr: string
}

export interface ConnectResponse {
  peerId: string
  addresses: string[]
}

export interface TrustListResponse {
  trust: TrustEntry[]
}

export interface TrustSetRequest {
  trust: number
  active?: boolean
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
  active: boolean
  contributions: number
  bits: number
  healthFailures: number
  /** wall-clock ms; 0 when never */
  lastSeenMs: number
  creditBits: number
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
  alpha: number
  tests: TestResult[]
}

export type ConsensusStatus = 'agreed' | 'split' | 'pending' | 'alone'

export interface Voter {
  peerId: string
  digest: string
  trust: number
  agrees: boolean
  /** a member here; a stranger's vote is listed (a few per epoch), never counted */
  member: boolean
  /** a member with trust > 0, active: part of the agreement */
  counted: boolean
}

export interface EpochConsensus {
  epoch: number
  status: ConsensusStatus
  /** trust-weighted share of voters agreeing with this node, in [0, 1] */
  agreement: number
  digest: string
  count: number
  final: boolean
  /**
   * not final yet because this node is catching up on it (it was not final when the node
   * started, or reached final while no member was connected): DESIGN.md "Catch-up"
   */
  catchingUp: boolean
  /** this node first */
  voters: Voter[]
  dissenters: Array<{ peerId: string; digest: string; trust: number }>
  /**
   * the shared beacon's state here, with who withheld a reveal and who equivocated (their
   * signed commits: `GET /v1/beacon/{epoch}`'s `evidence`, and the public API)
   */
  shared: { status: SharedBeaconStatus; withheld: string[]; equivocating: string[] }
}

export interface ConsensusResponse {
  epochs: EpochConsensus[]
}

/** The shared beacon's state for an epoch (DESIGN.md "The shared beacon, version 2"). */
export type { SharedBeaconStatus }

/** Signed evidence against members of an epoch: wire-encoded messages, hex. */
export interface BeaconEvidence {
  /** each withholder's signed commit (it committed, then gave no valid reveal) */
  withheld: Array<{ peerId: string; commit: string }>
  /** each equivocator's two signed commits */
  equivocating: Array<{ peerId: string; commits: string[] }>
}

export interface BeaconResponse {
  epoch: number
  /** Ω_r, lowercase hex: absent until revealed or recovered */
  beacon?: string
  status: SharedBeaconStatus
  /** D_r of the frozen commit set, hex: absent before the freeze */
  commitsDigest?: string
  /** peer ids of C_r's members (before the freeze: the origins whose commits are held) */
  commits: string[]
  /** peer ids of members of C_r with no valid reveal (recovered ones once recovered) */
  withheld: string[]
  /** peer ids of origins that signed two commits for the epoch (left out of C_r) */
  equivocating: string[]
  /** the signed commits behind `withheld` and `equivocating`, when there are any */
  evidence?: BeaconEvidence
  /** version 1's beacon over the folded contributions, hex: absent with none folded */
  poolBeacon?: string
  digest: string
  count: number
  contributions: string[]
  final: boolean
  verified?: boolean
}

export interface RandomRequest {
  /** 1..1048576 per request; a longer output is asked for in pieces */
  bytes: number
  epoch?: number
  /** shared draws only: where in the epoch's stream the piece starts (default 0) */
  offset?: number
  allowLowEntropy?: boolean
}

export interface RandomResponse {
  /** lowercase hex */
  bytes: string
  epoch?: number
}

export interface StatusResponse extends NatStatus {
  peerId: string
  network: string
  /** holds a network key (network.key): a closed network, every peer is a member */
  closed: boolean
  version: string
  epoch: number
  /** epoch length: epoch r spans [r × epochMs, (r + 1) × epochMs) in unix ms */
  epochMs: number
  /** connected peers */
  peers: number
  /** connected peers that are members */
  members: number
  ready: boolean
  creditBits: number
  folded: number
  stored: number
  lastFinalEpoch: number | null
  /** the latest closed epoch's entry, null before any epoch closed */
  consensus: EpochConsensus | null
}

export interface ApiErrorBody {
  error: { code: string; message: string }
}
