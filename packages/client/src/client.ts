import { AlaraError } from '@alara/protocol/wire'
import { AllSourcesFailedError, SourceError, type SourceFailure, VerifyError } from './errors.js'
import {
  type Expected,
  type VerifiedBeacon,
  verifyBeaconAnswer,
  verifyTimelockInfo,
} from './verify.js'

/**
 * A client of ALARA public beacon APIs (`/public/*`). It asks each URL in turn, moving on
 * to the next on an error, a timeout or an answer that does not verify, and returns only
 * beacons it has verified itself: a server can withhold a beacon, never forge one.
 */

export interface ClientOptions {
  /** base URLs of nodes' public APIs, e.g. http://node.example:5891, tried in this order */
  urls: string[]
  /** per request (default 10 s) */
  timeoutMs?: number
  /** the network beacons must belong to; default: what the first source's /public/info says */
  network?: string
  /**
   * the network's time-lock squarings T; default: what the first source's /public/info
   * says (its h is checked against its proof either way; pin T to not trust a source's)
   */
  timelockSquarings?: number
  /** a fetch implementation (default: globalThis.fetch) */
  fetch?: typeof globalThis.fetch
}

/** `GET /public/info` */
export interface NetworkInfo {
  network: string
  epochMs: number
  graceMs: number
  finalMs: number
  peerId: string
  version: string
  /** T, the time-lock's squarings */
  timelockSquarings: number
  /** h = g^(2^T), hex (checked against hProof and GID) */
  h: string
  hProof: string
  /** GID, the group's id, hex */
  gid: string
}

/** A verified beacon and the URL that served it (which proves nothing: the checks do). */
export interface SourcedBeacon extends VerifiedBeacon {
  source: string
}

export interface AlaraClient {
  /** the network's timing, from the first source that answers (cached) */
  info(options?: { signal?: AbortSignal }): Promise<NetworkInfo>
  /** the newest final epoch whose shared beacon Ω_r is known (or, with no commits, a pool beacon) */
  latest(options?: { signal?: AbortSignal }): Promise<SourcedBeacon>
  /**
   * final epoch `epoch`; a source whose Ω_r is still pending is passed over for one that
   * knows it, and the pending answer returned only when none does
   */
  get(epoch: number, options?: { signal?: AbortSignal }): Promise<SourcedBeacon>
  /** the final epoch covering unix time `timeMs` */
  at(timeMs: number, options?: { signal?: AbortSignal }): Promise<SourcedBeacon>
  /** each new final epoch with a beacon, polled at the network's epoch pace, until `signal` aborts */
  watch(options?: { signal?: AbortSignal }): AsyncGenerator<SourcedBeacon>
}

const DEFAULT_TIMEOUT_MS = 10_000
/** After an epoch's finality time, how long to wait before asking (sources' clocks differ). */
const POLL_SLACK_MS = 250

export function createClient(options: ClientOptions): AlaraClient {
  const urls = options.urls.map((u) => u.replace(/\/+$/, ''))
  if (urls.length === 0) throw new AlaraError('ERR_INVALID_INPUT', 'give at least one URL')
  for (const u of urls)
    if (!/^https?:\/\/[^/]/.test(u))
      throw new AlaraError('ERR_INVALID_INPUT', `'${u}' is not an http(s) URL`)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis)
  let info: (NetworkInfo & { hValue: bigint }) | undefined

  async function getJson(base: string, path: string, signal?: AbortSignal): Promise<unknown> {
    const timeout = AbortSignal.timeout(timeoutMs)
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
    let res: Response
    try {
      res = await fetchFn(`${base}${path}`, {
        signal: combined,
        headers: { accept: 'application/json' },
      })
    } catch (err) {
      if (timeout.aborted)
        throw new AlaraError('ERR_TIMEOUT', `no answer within ${timeoutMs} ms`, { cause: err })
      throw new SourceError(`fetch failed: ${(err as Error).message}`, undefined, { cause: err })
    }
    let body: unknown
    try {
      body = await res.json()
    } catch (err) {
      throw new SourceError(`HTTP ${res.status}, not JSON`, res.status, { cause: err })
    }
    if (!res.ok) {
      const message = (body as { error?: { message?: unknown } } | null)?.error?.message
      throw new SourceError(
        `HTTP ${res.status}${typeof message === 'string' ? `: ${message}` : ''}`,
        res.status,
      )
    }
    return body
  }

  /** Each source in turn until one gives an answer that `check` accepts. */
  async function firstVerified<T>(
    what: string,
    path: string,
    check: (body: unknown, base: string) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const failures: SourceFailure[] = []
    for (const base of urls) {
      signal?.throwIfAborted()
      try {
        return await check(await getJson(base, path, signal), base)
      } catch (err) {
        if (signal?.aborted === true) throw err
        const e = err as Error & { code?: string }
        failures.push({ url: base, code: e.code ?? 'ERR_SOURCE', message: e.message })
      }
    }
    throw new AllSourcesFailedError(what, failures)
  }

  async function verifiedInfo(signal?: AbortSignal): Promise<NetworkInfo & { hValue: bigint }> {
    info ??= await firstVerified(
      'network info',
      '/public/info',
      async (body) => checkInfo(body, options.network, options.timelockSquarings),
      signal,
    )
    return info
  }

  async function getInfo(opts: { signal?: AbortSignal } = {}): Promise<NetworkInfo> {
    const { hValue: _, ...out } = await verifiedInfo(opts.signal)
    return out
  }

  async function beacon(
    what: string,
    path: string,
    epoch: number | undefined,
    signal?: AbortSignal,
  ): Promise<SourcedBeacon> {
    const { network, timelockSquarings, hValue } = await verifiedInfo(signal)
    const expected: Expected = {
      network,
      timelockSquarings,
      h: hValue,
      ...(epoch === undefined ? {} : { epoch }),
    }
    let pending: SourcedBeacon | undefined
    const check = async (body: unknown, source: string): Promise<SourcedBeacon> => {
      const b = { ...(await verifyBeaconAnswer(body, expected)), source }
      if (b.status === 'pending') {
        // verified, but another source may know Ω_r already
        pending ??= b
        throw new SourceError(`epoch ${b.epoch}'s shared beacon is pending here`)
      }
      return b
    }
    try {
      return await firstVerified(what, path, check, signal)
    } catch (err) {
      if (pending !== undefined && !isAborted(signal)) return pending
      throw err
    }
  }

  return {
    info: getInfo,
    latest: (opts = {}) => beacon('latest beacon', '/public/latest', undefined, opts.signal),
    get: (epoch, opts = {}) => {
      checkInteger(epoch, 'epoch')
      return beacon(`beacon of epoch ${epoch}`, `/public/${epoch}`, epoch, opts.signal)
    },
    at: async (timeMs, opts = {}) => {
      checkInteger(timeMs, 'time')
      const { epochMs } = await getInfo(opts)
      const epoch = Math.floor(timeMs / epochMs)
      return beacon(`beacon at ${timeMs}`, `/public/at/${timeMs}`, epoch, opts.signal)
    },
    watch: (opts = {}) => watch(opts.signal),
  }

  async function* watch(signal?: AbortSignal): AsyncGenerator<SourcedBeacon> {
    let last = -1
    while (!isAborted(signal)) {
      try {
        const b = await beacon('latest beacon', '/public/latest', undefined, signal)
        if (b.epoch > last) {
          last = b.epoch
          yield b
        }
      } catch (err) {
        if (isAborted(signal)) return
        // no source reachable, or none with a beacon yet: a feed outlives node restarts
        if (!(err instanceof AllSourcesFailedError)) throw err
      }
      const t = await getInfo({ signal }).catch(() => undefined)
      if (t === undefined) {
        if (isAborted(signal)) return
        await sleep(timeoutMs, signal)
        continue
      }
      // the next epoch turns final at a multiple of epochMs plus finalMs
      const now = Date.now()
      const nextFinal = (Math.floor((now - t.finalMs) / t.epochMs) + 1) * t.epochMs + t.finalMs
      await sleep(Math.min(nextFinal - now + POLL_SLACK_MS, t.epochMs), signal)
    }
  }
}

function checkInfo(
  body: unknown,
  network: string | undefined,
  timelockSquarings: number | undefined,
): NetworkInfo & { hValue: bigint } {
  const i = body as Partial<NetworkInfo> | null
  const positive = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0
  if (
    typeof i !== 'object' ||
    i === null ||
    typeof i.network !== 'string' ||
    i.network === '' ||
    !positive(i.epochMs) ||
    i.epochMs === 0 ||
    !positive(i.graceMs) ||
    !positive(i.finalMs) ||
    typeof i.peerId !== 'string' ||
    typeof i.version !== 'string'
  )
    throw new VerifyError(
      '/public/info is not { network, epochMs, graceMs, finalMs, peerId, version, timelockSquarings, h, hProof, gid }',
    )
  if (network !== undefined && i.network !== network)
    throw new VerifyError(`the source is of network '${i.network}', not '${network}'`)
  if (timelockSquarings !== undefined && i.timelockSquarings !== timelockSquarings)
    throw new VerifyError(
      `the source's time-lock is T = ${i.timelockSquarings}, not ${timelockSquarings}`,
    )
  const { h } = verifyTimelockInfo(i as Parameters<typeof verifyTimelockInfo>[0])
  return {
    network: i.network,
    epochMs: i.epochMs as number,
    graceMs: i.graceMs as number,
    finalMs: i.finalMs as number,
    peerId: i.peerId,
    version: i.version,
    timelockSquarings: i.timelockSquarings as number,
    h: i.h as string,
    hProof: i.hProof as string,
    gid: i.gid as string,
    hValue: h,
  }
}

function checkInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new AlaraError(
      'ERR_INVALID_INPUT',
      `${what} must be a non-negative integer, got ${value}`,
    )
}

/** A function, so that TypeScript does not narrow `aborted` across awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, Math.max(0, ms))
    signal?.addEventListener('abort', done, { once: true })
  })
}
