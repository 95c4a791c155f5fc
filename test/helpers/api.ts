import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

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
