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
export { buildApi, startApi } from './api/server.js'
export type * from './api/types.js'
export { type DaemonConfig, DEFAULT_CONFIG, mergeConfig, readConfigFile } from './config.js'
export {
  type AlaraDaemon,
  type AlaraDaemonInit,
  createAlaraDaemon,
  type DaemonOverrides,
} from './daemon.js'
export * from './errors.js'
export { consoleLogger, type Logger, silentLogger } from './logger.js'
export type { ReadyInfo } from './ready.js'
export {
  type InitOptions,
  type InitResult,
  initRepo,
  openRepo,
  REPO_FILES,
  resolveHome,
} from './repo.js'
export type { NodeService } from './service.js'
export { VERSION } from './version.js'
