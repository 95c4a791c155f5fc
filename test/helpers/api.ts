import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ApiClient } from '@alara/cli'
import type {
  EpochConsensus,
  PeerInfo,
  PeersResponse,
  PoolResponse,
  StatusResponse,
} from '@alara/daemon'
import type { DaemonProcess } from './daemon.js'

/** Direct HTTP calls to a daemon's control API, for what the CLI cannot send. */

export interface ApiReply {
  status: number
  /** parsed JSON, undefined when the body is not JSON */
  body: unknown
  text: string
}

export async function readToken(home: string): Promise<string> {
  return (await readFile(join(home, 'api.token'), 'utf8')).trim()
}

export interface ApiRequestOptions {
  /** `Authorization` header value; omitted when undefined */
  authorization?: string
  /** sent as is (not JSON-encoded), with content-type application/json */
  rawBody?: string
  timeoutMs?: number
}

export async function apiRequest(
  baseUrl: string,
  method: string,
  path: string,
  opts: ApiRequestOptions = {},
): Promise<ApiReply> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (opts.authorization !== undefined) headers.authorization = opts.authorization
  if (opts.rawBody !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: opts.rawBody,
    signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
  })
  const text = await res.text()
  let body: unknown
  try {
    body = text === '' ? undefined : JSON.parse(text)
  } catch {
    body = undefined
  }
  return { status: res.status, body, text }
}

/** POST /v1/inject of `bits` (a string of 0 and 1) on a daemon, with its token. */
export function apiInject(d: DaemonProcess, token: string, bits: string): Promise<ApiReply> {
  return apiRequest(d.apiUrl, 'POST', '/v1/inject', {
    authorization: `Bearer ${token}`,
    rawBody: JSON.stringify({ bits }),
    timeoutMs: 10_000,
  })
}

/**
 * The CLI package's API client for a running daemon (its URL from the ready line, the
 * token from its home): what the tests poll through while they wait for a state, so a
 * poll costs one HTTP request instead of a CLI process. What a user sees is still
 * asserted through the real CLI.
 */
const clients = new WeakMap<DaemonProcess, Promise<ApiClient>>()

export function apiOf(d: DaemonProcess): Promise<ApiClient> {
  let client = clients.get(d)
  if (client === undefined) {
    client = ApiClient.connect({ home: d.home, api: d.apiUrl }, { timeoutMs: 30_000 })
    clients.set(d, client)
  }
  return client
}

export const apiPool = async (d: DaemonProcess): Promise<PoolResponse> =>
  (await apiOf(d)).get<PoolResponse>('/v1/pool', { bits: 0 })

export const apiStatus = async (d: DaemonProcess): Promise<StatusResponse> =>
  (await apiOf(d)).get<StatusResponse>('/v1/status')

export const apiPeers = async (d: DaemonProcess): Promise<PeerInfo[]> =>
  (await (await apiOf(d)).get<PeersResponse>('/v1/peers')).peers

export const apiConsensus = async (d: DaemonProcess, epochs = 60): Promise<EpochConsensus[]> =>
  (await (await apiOf(d)).get<{ epochs: EpochConsensus[] }>('/v1/consensus', { epochs })).epochs
