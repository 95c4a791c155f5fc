/**
 * @packageDocumentation
 * The `alara` command line: a thin layer over the daemon's control API (docs/API.md).
 * `run(argv, io)` runs one invocation in-process and returns its exit status;
 * `ApiClient` finds a node's daemon from its repo and maps API errors to `CliError`.
 */
export type * from './api-types.js'
export { buildProgram, type RunOptions, run, usageLine } from './cli.js'
export {
  ApiClient,
  type ClientOptions,
  type Endpoint,
  type LocateOptions,
  locateDaemon,
  normalizeApiUrl,
  resolveHome,
} from './client.js'
export { Devnet, type DevnetNode, type DevnetOptions } from './devnet.js'
export {
  CliError,
  EXIT_FAILURE,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
} from './errors.js'
export {
  CLI_BIN,
  DaemonChild,
  type DaemonChildInit,
  type ExitInfo,
  parseReadyLine,
  type ReadyInfo,
} from './harness.js'
export type { Io, OutStream, StopSignal } from './io.js'
export { processIo } from './io.js'
export { NODE_FLAGS } from './node-flags.js'
