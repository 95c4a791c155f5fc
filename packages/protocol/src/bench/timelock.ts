import { randomBytes } from 'node:crypto'
import { cpus } from 'node:os'
import { ALPHA_BYTES, commitSet, commitValue } from '../beacon/commits.js'
import { computeTimelockGenerator } from '../beacon/generator.js'
import { G, N } from '../beacon/group.js'
import { beaconOutcome } from '../beacon/output.js'
import { checkReveals } from '../beacon/reveals.js'
import { evaluateTimelock, verifyTimelock } from '../beacon/timelock.js'
import { proofParameters } from '../beacon/wesolowski.js'

/**
 * Time-lock benchmark (scripts/bench-timelock): y = X^(2^T) by T squarings mod N with
 * native BigInt, as the daemon runs it (evaluateTimelock, chunked), the time to build
 * Wesolowski's proof from the checkpoints, and the verifier. Prints a markdown table with
 * the native GMP figure the script measured beside it.
 *   node bench-dist/bench/timelock.js T [nativeRate nativeLabel]
 */

const T = Number(process.argv[2] ?? 2 ** 24)
const nativeRate = Number(process.argv[3] ?? Number.NaN)
const nativeLabel = process.argv[4] ?? 'native GMP'
const VERIFY_RUNS = 21

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')

// warm the squaring loop's code before timing it
await evaluateTimelock(G * 3n, 1 << 14)

const x = G
const start = performance.now()
let squaredAt = start
const out = await evaluateTimelock(x, T, {
  onProgress: ({ phase, done, total }) => {
    if (phase === 'squarings' && done === total) squaredAt = performance.now()
    if (phase === 'squarings' && done % (1 << 22) === 0)
      process.stderr.write(`[bench-timelock] ${done}/${total} squarings\n`)
  },
})
const end = performance.now()
if (!verifyTimelock(x, T, out.y, out.proof)) throw new Error('the proof does not verify')
const verifyMs: number[] = []
for (let i = 0; i < VERIFY_RUNS; i++) {
  const t = performance.now()
  verifyTimelock(x, T, out.y, out.proof)
  verifyMs.push(performance.now() - t)
}

/**
 * One epoch's work at one member with 5 members, as the daemon does it: its commit (c =
 * |g^α|), the reveal check (one aggregate) and the output Y, Ω_r (h for this T). Median
 * of EPOCH_RUNS epochs, with the fixed-base tables warm (they are kept per daemon).
 */
const MEMBERS = 5
const EPOCH_RUNS = 21
const { h } = await computeTimelockGenerator(Math.min(T, 4096))
const epochMs: number[] = []
for (let run = 0; run < EPOCH_RUNS + 2; run++) {
  const alphas = Array.from({ length: MEMBERS }, () => new Uint8Array(randomBytes(ALPHA_BYTES)))
  const origins = Array.from({ length: MEMBERS }, (_, i) => new Uint8Array([0, 36, 8, 1, i, run]))
  const t = performance.now()
  const commits = alphas.map((a, i) => ({ origin: origins[i] as Uint8Array, c: commitValue(a) }))
  const mine = performance.now() - t // one commit is this member's; the others' cost nothing here
  const set = commitSet('bench', Math.min(T, 4096), run, commits)
  const t2 = performance.now()
  const check = checkReveals(
    set,
    alphas.map((alpha, i) => ({ origin: origins[i] as Uint8Array, alpha })),
  )
  const outcome = beaconOutcome(set, h, check)
  if (outcome.status !== 'revealed') throw new Error('the bench epoch did not combine')
  if (run >= 2) epochMs.push(mine / MEMBERS + (performance.now() - t2))
}
const perEpochMs = median(epochMs)

const squaringS = (squaredAt - start) / 1000
const rate = T / squaringS
const { k, l } = proofParameters(T, 1 << 16)
const rows: Array<[string, string]> = [
  ['T (squarings)', `${fmt(T)}${Number.isInteger(Math.log2(T)) ? ` (2^${Math.log2(T)})` : ''}`],
  ['squarings/s, this implementation (native BigInt, chunked)', fmt(rate)],
]
if (Number.isFinite(nativeRate)) {
  rows.push([`squarings/s, ${nativeLabel}`, fmt(nativeRate)])
  rows.push(['native / this implementation', `${(nativeRate / rate).toFixed(2)}x`])
}
rows.push(
  ['y = X^(2^T), this implementation', `${squaringS.toFixed(1)} s`],
  [
    `proof π = X^⌊2^T/p⌋ from ${fmt(Math.ceil(T / (k * l)))} checkpoints (k ${k}, l ${l})`,
    `${((end - squaredAt) / 1000).toFixed(1)} s`,
  ],
  [`verify (median of ${VERIFY_RUNS})`, `${median(verifyMs).toFixed(1)} ms`],
  [
    `CPU per epoch at one member, ${MEMBERS} members (commit + reveal check + combine, median of ${EPOCH_RUNS})`,
    `${perEpochMs.toFixed(1)} ms`,
  ],
  ['… of one core at 5 s epochs', `${((100 * perEpochMs) / 5000).toFixed(2)} %`],
  ['… of one core at 250 ms epochs', `${((100 * perEpochMs) / 250).toFixed(1)} %`],
)
console.log(
  `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, N = RSA-2048 (${N.toString(2).length} bits)\n`,
)
console.log('| measure | value |')
console.log('| --- | --- |')
for (const [what, value] of rows) console.log(`| ${what} | ${value} |`)
