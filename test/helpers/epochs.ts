import type { BeaconResponse, EpochConsensus, StatusResponse, Voter } from '@alara/daemon'
import { defaultGraceMs } from '@alara/protocol'
import { expect } from 'vitest'
import { apiStatus } from './api.js'
import { cliJson, describeRun, runCli } from './cli.js'
import type { DaemonOptions, DaemonProcess } from './daemon.js'
import type { Harness } from './harness.js'
import type { PeerJson } from './network.js'
import type { InjectJson } from './node-state.js'
import { STATE_TIMEOUT_MS, waitFor } from './wait.js'

/**
 * Epochs, votes and beacons as the CLI prints them (`--json`), and the epoch timing the
 * tests run with: `--epoch-ms 1000`, and by default graceMs = min(1000, epochMs / 2) = 500
 * and finalMs = 3 epochs (docs/OPERATIONS.md "Epoch timing"); a file that needs more room before an epoch
 * is final sets graceMs/finalMs in its homes' config.json (Harness `timing`). Every
 * daemon runs on this machine's clock, so the test computes epoch boundaries from
 * `Date.now()` exactly as the daemons do.
 */

export interface Timing {
  epochMs: number
  /** epoch r closes (and is voted) at end(r) + graceMs */
  graceMs: number
  /** epoch r is final at end(r) + finalMs */
  finalMs: number
}

export const EPOCH_MS = 1000
export const GRACE_MS = defaultGraceMs(EPOCH_MS)
export const FINAL_MS = 3 * EPOCH_MS
export const DEFAULT_TIMING: Timing = { epochMs: EPOCH_MS, graceMs: GRACE_MS, finalMs: FINAL_MS }

export const epochAt = (ms: number): number => Math.floor(ms / EPOCH_MS)
/** end(r) + graceMs: the node closes epoch r and votes */
export const closeAtMs = (r: number, t: Timing = DEFAULT_TIMING): number =>
  (r + 1) * t.epochMs + t.graceMs
/** end(r) + finalMs: epoch r freezes */
export const finalAtMs = (r: number, t: Timing = DEFAULT_TIMING): number =>
  (r + 1) * t.epochMs + t.finalMs

export type VoterJson = Voter

export type ConsensusEntryJson = EpochConsensus

export type BeaconJson = BeaconResponse

export type StatusJson = StatusResponse

/** `peers --json`: the per-peer vote figures are part of PeerInfo. */
export type PeerVotesJson = PeerJson

export const statusOf = (d: DaemonProcess): Promise<StatusJson> =>
  cliJson<StatusJson>(d.home, ['status'])

export const peerVotesOf = (d: DaemonProcess): Promise<PeerVotesJson[]> =>
  cliJson<PeerVotesJson[]>(d.home, ['peers'])

/**
 * The last `k` closed epochs, newest first. The tests' epochs last 1 s and a test may run
 * for minutes on a busy machine: the default covers 10 minutes, so an epoch injected at
 * the start is still listed when it is checked at the end.
 */
export async function consensusOf(d: DaemonProcess, k = 600): Promise<ConsensusEntryJson[]> {
  return (
    await cliJson<{ epochs: ConsensusEntryJson[] }>(d.home, ['consensus', '--epochs', String(k)])
  ).epochs
}

export function beaconOf(d: DaemonProcess, r: number, verify = false): Promise<BeaconJson> {
  return cliJson<BeaconJson>(d.home, ['beacon', String(r), ...(verify ? ['--verify'] : [])])
}

/**
 * `beacon R --verify`, or undefined when the node has no folded contribution in R (a
 * count of 0, or ERR_NOT_FOUND with no commits either): on a busy machine the injections
 * of one round can land in two epochs, so an epoch may hold only contributions a node
 * does not fold.
 */
export async function beaconOrNone(d: DaemonProcess, r: number): Promise<BeaconJson | undefined> {
  const res = await runCli(d.home, ['beacon', String(r), '--verify'])
  if (res.code === 0 && res.json !== undefined) {
    const json = res.json as BeaconJson
    return json.count > 0 ? json : undefined
  }
  if (res.stderr.includes(`epoch ${r} has no folded contributions`)) {
    expect(res.stderr, describeRun(res)).toContain('ERR_NOT_FOUND')
    return undefined
  }
  throw new Error(`expected a beacon or ERR_NOT_FOUND: ${describeRun(res)}`)
}

export function sharedDraw(
  d: DaemonProcess,
  r: number,
  bytes = 32,
): Promise<{ bytes: string; epoch?: number }> {
  return cliJson(d.home, ['random', '--bytes', String(bytes), '--epoch', String(r)])
}

/** `inject --random N` (and `--no-publish` when publish is false). */
export function injectRandom(d: DaemonProcess, bits = 64, publish = true): Promise<InjectJson> {
  return cliJson<InjectJson>(d.home, [
    'inject',
    '--random',
    String(bits),
    ...(publish ? [] : ['--no-publish']),
  ])
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until epoch `r` has begun (plus `offsetMs`); returns at once when it has. */
export async function untilEpoch(r: number, offsetMs = 30): Promise<void> {
  await sleep(r * EPOCH_MS + offsetMs - Date.now())
}

/**
 * Waits for the next epoch boundary (plus `offsetMs`), so what follows lands early in a
 * fresh epoch, well before it closes: a clock-aligned wait, never longer than one epoch.
 */
export async function atNextEpoch(offsetMs = 30): Promise<number> {
  const next = epochAt(Date.now()) + 1
  await untilEpoch(next, offsetMs)
  return next
}

/** What one node injected. */
export interface Injected {
  node: DaemonProcess
  epoch: number
  ids: string[]
}

/** Every node in `who` injects `bits` random bits now, at once. */
export async function injectAll(
  who: DaemonProcess[],
  bits = 64,
  publish = true,
): Promise<Injected[]> {
  const results = await Promise.all(who.map((d) => injectRandom(d, bits, publish)))
  return results.map((r, j) => ({ node: who[j] as DaemonProcess, epoch: r.epoch, ids: r.ids }))
}

/** `rounds` rounds, each at the start of a fresh epoch, of `injectAll(who)`. */
export async function injectRounds(
  who: DaemonProcess[],
  rounds: number,
  bits = 64,
  publish = true,
): Promise<Injected[]> {
  const out: Injected[] = []
  for (let i = 0; i < rounds; i++) {
    await atNextEpoch()
    out.push(...(await injectAll(who, bits, publish)))
  }
  return out
}

/** Epochs of the injections, ascending, without repeats. */
export const epochsOf = (injected: Injected[]): number[] =>
  [...new Set(injected.map((x) => x.epoch))].sort((a, b) => a - b)

/** Ids injected in epoch `r` (optionally only by `nodes`), sorted ascending. */
export function idsOf(injected: Injected[], r: number, nodes?: DaemonProcess[]): string[] {
  return injected
    .filter((x) => x.epoch === r && (nodes === undefined || nodes.includes(x.node)))
    .flatMap((x) => x.ids)
    .sort()
}

/**
 * Waits until every node reports epoch `r` final (status lastFinalEpoch ≥ r), polling
 * their APIs, at most until `slackMs` after the clock passed final(r).
 */
export async function waitFinal(
  nodes: DaemonProcess[],
  r: number,
  timing: Timing = DEFAULT_TIMING,
  slackMs = STATE_TIMEOUT_MS,
): Promise<void> {
  const timeoutMs = Math.max(0, finalAtMs(r, timing) - Date.now()) + slackMs
  await Promise.all(
    nodes.map((d) =>
      waitFor(
        () => apiStatus(d),
        (s) => s.lastFinalEpoch !== null && s.lastFinalEpoch >= r,
        { timeoutMs, intervalMs: 100, what: `epoch ${r} final on ${d.peerId}` },
      ),
    ),
  )
}

/** Starts `n` daemons at once (faster than one after the other on two cores). */
export function startNodes(
  h: Harness,
  n: number,
  opts: Partial<DaemonOptions> = {},
): Promise<DaemonProcess[]> {
  return Promise.all(Array.from({ length: n }, () => h.start(opts)))
}
