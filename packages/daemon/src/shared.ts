import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * What the daemon and the CLI must agree on, importable without loading libp2p
 * (`@alara/daemon/shared`): the home directory rule, the network-name rule, the API's
 * HOST:PORT syntax and the ready line `alara daemon` prints.
 */

/** The repo directory: the flag, else $ALARA_HOME, else ~/.alara. */
export function resolveHome(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.ALARA_HOME ?? join(homedir(), '.alara'))
}

/** Network names are part of topic strings and mDNS tags. */
export const NETWORK_NAME_PATTERN = '^[A-Za-z0-9._-]{1,64}$'

export function isNetworkName(value: string): boolean {
  return new RegExp(NETWORK_NAME_PATTERN).test(value)
}

export interface HostPort {
  host: string
  port: number
}

/**
 * HOST:PORT with a port 0..65535; an IPv6 host in brackets (`[::1]:5890`, returned as
 * `::1`). Undefined when `value` is not one (each caller words its own error).
 */
export function splitHostPort(value: string): HostPort | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):([0-9]{1,5})$/.exec(value)
  if (match === null) return undefined
  const port = Number(match[3])
  if (port > 65535) return undefined
  return { host: (match[1] ?? match[2]) as string, port }
}

/**
 * The one machine-readable line `alara daemon --json` prints on stdout once the node
 * serves its API: what `alara devnet` and the multi-daemon tests wait for (the human
 * ready line is for people and may change). Parsed by @alara/cli's harness.
 */
export interface ReadyInfo {
  event: 'ready'
  peerId: string
  network: string
  /** the control API's base URL */
  apiUrl: string
  /** the public beacon API's base URL, when --public-api / publicApi is set */
  publicApiUrl?: string
  /** the Prometheus metrics listener's base URL (`/metrics` under it), when --metrics is set */
  metricsUrl?: string
  /** the libp2p listening multiaddrs */
  addresses: string[]
  home: string
}
