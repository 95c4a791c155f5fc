/**
 * @packageDocumentation
 *
 * The ALARA daemon: a libp2p node that gossips signed entropy contributions, folds them
 * into its replica of the global pool by local trust, closes epochs, votes, repairs from
 * its peers, and serves the control API the `alara` CLI talks to.
 *
 * ```ts
 * import { createAlaraDaemon, initRepo } from '@alara/daemon'
 * await initRepo('/tmp/node-a', { network: 'lab' })
 * const daemon = await createAlaraDaemon({ home: '/tmp/node-a' })
 * console.log(daemon.peerId, daemon.apiUrl)
 * await daemon.stop()
 * ```
 */

export { buildApi, startApi } from './api/control-server.js'
export {
  EVENT_STREAM_DEFAULTS,
  type EventStreamOptions,
  parseEventTypes,
} from './api/event-stream.js'
export { CHALLENGE_RE, type HealthAnswer, healthProof } from './api/health.js'
export type { NodeService } from './api/node-service.js'
export { type PublicBeacon, PublicBeacons } from './api/public-beacons.js'
export { buildPublicApi, type PublicApiServer, startPublicApi } from './api/public-server.js'
export type * from './api/types.js'
export { loadTimelockGenerator } from './beacon/timelock-generator.js'
export type { AlaraComponents } from './components.js'
export { mergeConfig, readConfigFile } from './config/config.js'
export { type DaemonConfig, DEFAULT_CONFIG } from './config/defaults.js'
export {
  type AlaraDaemon,
  type AlaraDaemonInit,
  type AlaraNodeServices,
  createAlaraDaemon,
  type DaemonOverrides,
} from './daemon.js'
export * from './errors.js'
export * from './events.js'
export type { TrustEntry } from './membership/trust-book.js'
export type { TrustRemoveResponse } from './membership/trust-service.js'
export type { InjectRequest, InjectResponse } from './node/inject.js'
export { STATE_LIMITS } from './node/state.js'
export { GOSSIP_BATCH_MESSAGES, gossipFrameLimits } from './p2p/gossip/frame-limits.js'
export { GOSSIP_PEER_RATES } from './p2p/gossip/gossip-service.js'
export { msgIdFn } from './p2p/gossip/message-id.js'
export { topicsOf } from './p2p/gossip/topics.js'
export { type AlaraServices, createAlaraLibp2p } from './p2p/libp2p-node.js'
export {
  formatNetworkKey,
  generateNetworkKey,
  NETWORK_KEY_FILE,
  parseNetworkKey,
  readNetworkKeyFile,
  writeRepoNetworkKey,
} from './repo/network-key.js'
export {
  type InitOptions,
  type InitResult,
  initRepo,
  openRepo,
  REPO_FILES,
} from './repo/repo.js'
export {
  type LockOptions,
  lockHolder,
  lockRepo,
  pidAlive,
  type RepoLock,
} from './repo/repo-lock.js'
export * from './shared.js'
export { answerOf } from './sync/answers.js'
export { REPAIR_LIMITS } from './sync/repair.js'
export { STREAM_TIMEOUT_MS, SYNC_SERVER_LIMITS } from './sync/sync-server.js'
export { syncDirectory, writeFileAtomic } from './util/atomic-file.js'
export {
  type ComponentLoggerFactory,
  consoleLogger,
  forComponent,
  type Logger,
  type LogMessage,
  silentLogger,
} from './util/logger.js'
export { VERSION } from './version.js'
