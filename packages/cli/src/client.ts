import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { resolveHome } from '@alara/daemon/shared'
import { checkDaemon } from './daemon-check.js'
import { CliError } from './errors.js'
import { type HttpFetch, type HttpResponse, httpFetch } from './http-fetch.js'

/**
 * The control API client: finds the daemon of a repo, sends the bearer token, and turns
 * every failure (no daemon, refused connection, `{ error: { code, message } }`) into a
 * CliError with a stable code.
 */

const DEFAULT_TIMEOUT_MS = 60_000

export interface LocateOptions {
  /** --home */
  home?: string
  /** --api: a base URL, or HOST:PORT */
  api?: string
  env?: NodeJS.ProcessEnv
}

export interface Endpoint {
  home: string
  baseUrl: string
  token: string | undefined
  /** true when the URL came from --api rather than HOME/api */
  explicit: boolean
}

// One rule for daemon and CLI, from the daemon's light entry point (no libp2p loaded).
export { resolveHome }

/** Accepts `http(s)://…` or a bare `HOST:PORT`; undefined when it is neither. */
export function normalizeApiUrl(value: string): string | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  if (url.hostname === '' || url.search !== '' || url.hash !== '') return undefined
  return url.href.replace(/\/+$/, '')
}

export function noDaemon(home: string): CliError {
  return new CliError(
    'ERR_NO_DAEMON',
    `no ALARA daemon is running for ${home} (start one with: alara daemon --home ${home})`,
  )
}

async function readTrimmed(path: string): Promise<string | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).trim()
    return text === '' ? undefined : text
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new CliError('ERR_READ_FAILED', `cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
    })
  }
}

export async function locateDaemon(opts: LocateOptions = {}): Promise<Endpoint> {
  const home = resolveHome(opts.home, opts.env)
  const token = await readTrimmed(join(home, 'api.token'))
  if (opts.api !== undefined) {
    const baseUrl = normalizeApiUrl(opts.api)
    if (baseUrl === undefined) {
      throw new CliError('ERR_BAD_API_URL', `--api ${opts.api} is not an http URL or HOST:PORT`)
    }
    return { home, baseUrl, token, explicit: true }
  }
  const apiFile = join(home, 'api')
  const written = await readTrimmed(apiFile)
  if (written === undefined) throw noDaemon(home)
  const baseUrl = normalizeApiUrl(written)
  if (baseUrl === undefined) {
    throw new CliError('ERR_BAD_API_FILE', `${apiFile} does not hold an API URL: ${written}`)
  }
  return { home, baseUrl, token, explicit: false }
}

export type Query = Record<string, string | number | boolean | undefined>

export interface RequestOptions {
  query?: Query
  body?: unknown
}

export interface ClientOptions {
  timeoutMs?: number
  /** default: httpFetch (node:http); the global fetch fits too */
  fetch?: HttpFetch
}

function causeCode(err: unknown): string | undefined {
  // undici wraps socket errors: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })
  let e: unknown = err
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && code.startsWith('E')) return code
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

function isApiError(body: unknown): body is { error: { code: string; message: string } } {
  if (typeof body !== 'object' || body === null) return false
  const error = (body as { error?: unknown }).error
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  )
}

export class ApiClient {
  readonly endpoint: Endpoint
  readonly #timeoutMs: number
  readonly #fetch: HttpFetch

  constructor(endpoint: Endpoint, opts: ClientOptions = {}) {
    this.endpoint = endpoint
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#fetch = opts.fetch ?? httpFetch
  }

  /**
   * Finds the daemon and, before any request carries the token, checks that the process
   * answering is the repo's daemon (daemon-check.ts): a stale `api` file gets the token
   * sent to nobody.
   */
  static async connect(locate: LocateOptions, opts?: ClientOptions): Promise<ApiClient> {
    const endpoint = await locateDaemon(locate)
    if (endpoint.token !== undefined)
      await checkDaemon({ ...endpoint, token: endpoint.token }, opts)
    return new ApiClient(endpoint, opts)
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query })
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, { body })
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body })
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path)
  }

  url(path: string, query?: Query): string {
    const url = new URL(`${this.endpoint.baseUrl}${path}`)
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value))
    }
    return url.href
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (this.endpoint.token !== undefined) headers.authorization = `Bearer ${this.endpoint.token}`
    if (opts.body !== undefined) headers['content-type'] = 'application/json'
    let response: HttpResponse
    let text: string
    try {
      response = await this.#fetch(this.url(path, opts.query), {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
      text = await response.text()
    } catch (err) {
      throw this.#transportError(err)
    }
    let body: unknown
    try {
      body = text === '' ? undefined : JSON.parse(text)
    } catch {
      body = undefined
    }
    if (!response.ok) throw this.#apiError(response.status, body, text)
    if (body === undefined) {
      throw new CliError(
        'ERR_BAD_RESPONSE',
        `the daemon at ${this.endpoint.baseUrl} answered ${method} ${path} without a JSON body`,
      )
    }
    return body as T
  }

  /**
   * Opens a long-lived response (server-sent events) and returns its body. The timeout
   * bounds only the wait for the answer's headers; `signal` ends the stream.
   */
  async stream(
    path: string,
    query: Query | undefined,
    signal: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>> {
    const headers: Record<string, string> = { accept: 'text/event-stream' }
    if (this.endpoint.token !== undefined) headers.authorization = `Bearer ${this.endpoint.token}`
    const connect = new AbortController()
    const timer = setTimeout(
      () => connect.abort(new DOMException('timed out', 'TimeoutError')),
      this.#timeoutMs,
    )
    let response: Response
    try {
      // the global fetch (undici): a streamed body; watch lives long, its start-up cost is moot
      response = await fetch(this.url(path, query), {
        headers,
        signal: AbortSignal.any([signal, connect.signal]),
      })
    } catch (err) {
      throw this.#transportError(connect.signal.aborted ? connect.signal.reason : err)
    } finally {
      clearTimeout(timer)
    }
    if (!response.ok || response.body === null) {
      const text = await response.text().catch(() => '')
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        body = undefined
      }
      throw this.#apiError(response.status, body, text)
    }
    return response.body
  }

  #transportError(err: unknown): CliError {
    const name = (err as { name?: unknown }).name
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new CliError(
        'ERR_TIMEOUT',
        `the daemon at ${this.endpoint.baseUrl} did not answer within ${this.#timeoutMs / 1000} s`,
        { cause: err },
      )
    }
    const code = causeCode(err)
    if (code === 'ECONNREFUSED' || code === 'ENOENT') {
      if (!this.endpoint.explicit) return noDaemon(this.endpoint.home)
      return new CliError(
        'ERR_NO_DAEMON',
        `no ALARA daemon answers at ${this.endpoint.baseUrl} (connection refused)`,
        { cause: err },
      )
    }
    const detail = code ?? (err instanceof Error ? err.message : String(err))
    return new CliError(
      'ERR_UNREACHABLE',
      `cannot reach the ALARA daemon at ${this.endpoint.baseUrl} (${detail})`,
      { cause: err },
    )
  }

  #apiError(status: number, body: unknown, text: string): CliError {
    if (isApiError(body)) {
      let message = body.error.message
      if (status === 401 && this.endpoint.token === undefined) {
        message += `; no token found at ${join(this.endpoint.home, 'api.token')}`
      }
      return new CliError(body.error.code, message, { status })
    }
    const excerpt = text.trim().slice(0, 120)
    return new CliError(
      status === 401 ? 'ERR_UNAUTHORIZED' : `ERR_HTTP_${status}`,
      `the daemon at ${this.endpoint.baseUrl} answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`,
      { status },
    )
  }
}
