import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { SyncRequest } from '@alara/protocol'
import { afterAll, expect, it } from 'vitest'
import { Harness } from '../helpers/harness.js'
import { rssOf } from '../helpers/rss.js'
import { SyncPeer } from '../helpers/sync-peer.js'
import { waitFor } from '../helpers/wait.js'

/**
 * The stated sync flood of docs/BENCHMARKS.md, against one daemon (the built CLI, or the
 * one named by ALARA_SOAK_CLI_BIN: an older checkout, to compare): it first takes in an
 * epoch of 4,096+ large contributions from a serving peer, then for ALARA_SOAK_SECONDS
 * (default 30) 8 connections each open 32 sync streams that never read a heavy answer,
 * and 4 more connections send `IDS` requests 8 at a time as fast as answered. Meanwhile
 * one inject every 500 ms through the control API (a plain HTTP call with the token, so
 * an older daemon's API works too) measures inject-to-fold latency (inject folds before
 * it answers). Writes a JSON summary to ALARA_SOAK_SUMMARY.
 */

const h = new Harness('soak-sync', { graceMs: 15_000, finalMs: 30_000, roundMs: 3_000 })
const peers: SyncPeer[] = []
afterAll(async () => {
  await Promise.allSettled(peers.map((p) => p.stop()))
  await h.cleanup()
})

const SECONDS = Number(process.env.ALARA_SOAK_SECONDS ?? 30)
const LORISES = 8
const STREAMS_EACH = 32
const FLOODERS = 4
const PARALLEL = 8

async function apiCall(home: string, url: string, path: string, body?: unknown): Promise<unknown> {
  const token = (await readFile(join(home, 'api.token'), 'utf8')).trim()
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  return res.json()
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN)
}

it('sync flood: peak RSS and inject-to-fold latency', async () => {
  const binPath = process.env.ALARA_SOAK_CLI_BIN
  // an older CLI runs through ready-line.mjs (its ready line lacks "event"); the daemon's
  // own pid is then the one in its repo.lock
  const a = await h.start(
    binPath === undefined
      ? {}
      : {
          binPath: fileURLToPath(new URL('./ready-line.mjs', import.meta.url)),
          env: { ALARA_SOAK_WRAPPED: binPath },
        },
  )
  const pid =
    binPath === undefined
      ? (a.pid as number)
      : Number(/\d+/.exec(await readFile(join(a.home, 'repo.lock'), 'utf8'))?.[0])
  const network = h.network
  const serve = await SyncPeer.create({ network, params: { ...h.timing, roundMs: 3_000 } })
  peers.push(serve)
  const nowMs = Date.now()
  await serve.storeSigned(79, 64, nowMs, 8192)
  const epoch = Math.floor(nowMs / h.timing.epochMs)
  await serve.dial(a.multiaddr)
  await waitFor(
    () => apiCall(a.home, a.apiUrl, '/v1/pool?bits=0') as Promise<{ stored: number }>,
    // an older daemon takes in less than all of it (its answers were cut, never paged)
    (p) => p.stored >= 2_000,
    { timeoutMs: 180_000, intervalMs: 500, what: 'the daemon taking in the large epoch' },
  )
  const storedNow = async () =>
    ((await apiCall(a.home, a.apiUrl, '/v1/pool?bits=0')) as { stored: number }).stored
  // settled: no change over 3 s
  let stored = await storedNow()
  for (;;) {
    await new Promise((r) => setTimeout(r, 3000))
    const again = await storedNow()
    if (again === stored) break
    stored = again
  }
  const baseline = await rssOf(pid)
  // the same injects with no flood, for comparison
  const quiet: number[] = []
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now()
    await apiCall(a.home, a.apiUrl, '/v1/inject', { random: 256 })
    quiet.push(performance.now() - t0)
    await new Promise((r) => setTimeout(r, 500))
  }

  // a heavy request: 1,024 ids the daemon holds (about 1.1 MB of contributions)
  const held = await serve.request(a.multiaddr, { kind: 'ids', network, epoch })
  const heavy: SyncRequest = { kind: 'contributions', network, ids: held.ids.slice(0, 1024) }
  const lorises = await Promise.all(
    Array.from({ length: LORISES }, () => SyncPeer.create({ network })),
  )
  const flooders = await Promise.all(
    Array.from({ length: FLOODERS }, () => SyncPeer.create({ network })),
  )
  peers.push(...lorises, ...flooders)
  let peak = baseline.rssMiB
  const sampler = setInterval(() => {
    rssOf(pid)
      .then((r) => {
        peak = Math.max(peak, r.rssMiB)
      })
      .catch(() => undefined)
  }, 200)
  const stop = AbortSignal.timeout(SECONDS * 1000)
  const started = Date.now()
  const opened = Promise.all(lorises.map((p) => p.openUnread(a.multiaddr, STREAMS_EACH, heavy)))
  const flood = Promise.all(
    flooders.map((p) => p.flood(a.multiaddr, { kind: 'ids', network, epoch }, PARALLEL, stop)),
  )
  const latencies: number[] = []
  let injectFailures = 0
  while (!stop.aborted) {
    const t0 = performance.now()
    try {
      await apiCall(a.home, a.apiUrl, '/v1/inject', { random: 256 })
      latencies.push(performance.now() - t0)
    } catch {
      injectFailures++
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  const counts = await flood
  const streams = (await opened).reduce((x, y) => x + y, 0)
  clearInterval(sampler)
  peak = Math.max(peak, (await rssOf(pid)).peakMiB)
  const summary = {
    daemon: binPath ?? 'this checkout',
    flood: {
      seconds: Math.round((Date.now() - started) / 1000),
      slowLorisConnections: LORISES,
      unreadStreamsAsked: LORISES * STREAMS_EACH,
      unreadStreamsOpened: streams,
      floodConnections: FLOODERS,
      floodParallel: PARALLEL,
      floodAnswered: counts.reduce((n, c) => n + c.answered, 0),
      floodFailed: counts.reduce((n, c) => n + c.failed, 0),
    },
    storedBefore: stored,
    baselineRssMiB: Math.round(baseline.rssMiB),
    peakRssMiB: Math.round(peak),
    injects: latencies.length,
    injectFailures,
    quietInjectMs: { p50: quantile(quiet, 0.5), max: quantile(quiet, 1) },
    injectMs: {
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      max: quantile(latencies, 1),
    },
  }
  console.log(JSON.stringify(summary))
  if (process.env.ALARA_SOAK_SUMMARY !== undefined)
    await writeFile(process.env.ALARA_SOAK_SUMMARY, JSON.stringify(summary))
  expect(latencies.length).toBeGreaterThan(0)
})
