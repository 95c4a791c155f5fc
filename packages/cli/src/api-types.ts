/**
 * Response bodies of the control API. They are defined once, by the daemon that sends
 * them (packages/daemon/src/api/types.ts, and beside the service for the few a service
 * returns as they are); `--json` prints them as received.
 */
export type {
  ApiErrorBody,
  BeaconResponse,
  ConnectResponse,
  ConsensusResponse,
  ConsensusStatus,
  EpochConsensus,
  IdResponse,
  InjectRequest,
  InjectResponse,
  OriginQuality,
  PeerInfo,
  PeersResponse,
  PoolResponse,
  QualityResponse,
  RandomRequest,
  RandomResponse,
  StatusResponse,
  TestResult,
  TestsResponse,
  TrustEntry,
  TrustListResponse,
  TrustRemoveResponse,
  Voter,
} from '@alara/daemon'
