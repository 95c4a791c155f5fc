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

export {
  EVENT_STREAM_DEFAULTS,
  type EventStreamOptions,
  parseEventTypes,
} from './api/event-stream.js'
export { CHALLENGE_RE, type HealthAnswer, healthProof } from './api/health.js'
export type { NodeService } from './api/node-service.js'
export { buildPublicApi, type PublicApiServer, startPublicApi } from './api/public.js'
export { buildApi, startApi } from './api/server.js'
export type * from './api/types.js'
export { syncDirectory, writeFileAtomic } from './atomic-file.js'
export type { AlaraComponents } from './components.js'
export { type DaemonConfig, DEFAULT_CONFIG, mergeConfig, readConfigFile } from './config.js'
export {
  type AlaraDaemon,
  type AlaraDaemonInit,
  type AlaraNodeServices,
  createAlaraDaemon,
  type DaemonOverrides,
} from './daemon.js'
export * from './errors.js'
export * from './events.js'
export { GOSSIP_BATCH_MESSAGES, gossipFrameLimits } from './gossip/frame-limits.js'
export { msgIdFn } from './gossip/message-id.js'
export { GOSSIP_PEER_RATES } from './gossip/validators.js'
export { type AlaraServices, createAlaraLibp2p, topicsOf } from './libp2p.js'
export {
  type ComponentLoggerFactory,
  consoleLogger,
  forComponent,
  type Logger,
  type LogMessage,
  silentLogger,
} from './logger.js'
export {
  formatNetworkKey,
  generateNetworkKey,
  NETWORK_KEY_FILE,
  NetworkKeyError,
  parseNetworkKey,
  readNetworkKeyFile,
  writeRepoNetworkKey,
} from './network-key.js'
export { type PublicBeacon, PublicBeacons } from './public-beacon.js'
export {
  type InitOptions,
  type InitResult,
  initRepo,
  openRepo,
  REPO_FILES,
} from './repo.js'
export { type LockOptions, lockHolder, lockRepo, pidAlive, type RepoLock } from './repo-lock.js'
export * from './shared.js'
export { STATE_LIMITS } from './state.js'
export { answerOf } from './sync/answers.js'
export { REPAIR_LIMITS } from './sync/repair.js'
export { STREAM_TIMEOUT_MS, SYNC_SERVER_LIMITS } from './sync/server.js'
export { VERSION } from './version.js'
