import { InvalidInputError } from '../../errors.js'
import { countOnesUnpacked } from '../unpacked.js'
import { cusumExcursion, cusumPValue } from './cusum.js'
import { blockFrequencyBlockLength, blockFrequencyTest, frequencyTest } from './frequency.js'
import {
  approximateEntropyBlockLength,
  approximateEntropyFromCounts,
  foldPatternCounts,
  MAX_PATTERN_BITS,
  patternCounts,
  serialBlockLength,
  serialFromCounts,
} from './patterns.js'
import { LONGEST_RUN_MIN_BITS, longestRunOfOnesTest, runsTest } from './runs.js'

/** One p-value of the suite. */
export interface StatTestResult {
  name: Sp80022TestName
  /** null when the test was skipped */
  pValue: number | null
  /** pValue ≥ alpha; null when skipped */
  passed: boolean | null
  /** why the test did not run (too few bits for the document's rules) */
  skipped?: string
  /** the parameter chosen for this input (M or m), when the test has one */
  parameters?: Record<string, number>
}

/** Names, in the order the suite reports them. */
export const SP800_22_TESTS = [
  'frequency',
  'block-frequency',
  'runs',
  'longest-run',
  'cumulative-sums-forward',
  'cumulative-sums-backward',
  'approximate-entropy',
  'serial-1',
  'serial-2',
] as const

export type Sp80022TestName = (typeof SP800_22_TESTS)[number]

/** NIST's recommended minimum length (§2.x.7) for the tests that state one. */
export const SP800_22_MIN_BITS = 100

/**
 * Runs the SP 800-22 rev1a subset on unpacked bits and reports every test, in the order
 * of SP800_22_TESTS. Parameters follow the document's rules for n = bits.length:
 * - frequency, block frequency, runs, cumulative sums: n ≥ 100 (§2.x.7);
 * - block frequency: M = max(20, ⌊n/100⌋ + 1) (M ≥ 20, M > 0.01n, N < 100);
 * - longest run: n ≥ 128, M = 8 / 128 / 10^4 from n ≥ 128 / 6272 / 750000;
 * - approximate entropy: m = ⌊log2 n⌋ − 6, the largest m < ⌊log2 n⌋ − 5; needs m ≥ 1;
 * - serial: m = ⌊log2 n⌋ − 3, the largest m < ⌊log2 n⌋ − 2; needs m ≥ 2 (and n ≥ 100).
 * A test whose rule is not met is reported with pValue and passed null and a `skipped`
 * reason rather than left out, so callers always get the same nine rows. These p-values
 * are reported, never used to reject anything; about 1 % false alarms per test is normal.
 */
export function runSp80022(bits: Uint8Array, alpha = 0.01): StatTestResult[] {
  if (!(alpha > 0 && alpha < 1))
    throw new InvalidInputError(`alpha must be in (0, 1), got ${alpha}`)
  countOnesUnpacked(bits)
  const n = bits.length
  const verdict = (pValue: number) => ({ pValue, passed: pValue >= alpha })
  const tooShort = (name: Sp80022TestName, min: number, why = ''): StatTestResult => ({
    name,
    pValue: null,
    passed: null,
    skipped: `needs at least ${min} bits${why}, got ${n}`,
  })

  const results: StatTestResult[] = []
  if (n >= SP800_22_MIN_BITS) {
    results.push({ name: 'frequency', ...verdict(frequencyTest(bits).pValue) })
    const M = blockFrequencyBlockLength(n)
    results.push({
      name: 'block-frequency',
      ...verdict(blockFrequencyTest(bits, M).pValue),
      parameters: { M },
    })
    results.push({ name: 'runs', ...verdict(runsTest(bits).pValue) })
  } else {
    results.push(tooShort('frequency', SP800_22_MIN_BITS))
    results.push(tooShort('block-frequency', SP800_22_MIN_BITS))
    results.push(tooShort('runs', SP800_22_MIN_BITS))
  }

  if (n >= LONGEST_RUN_MIN_BITS) {
    const r = longestRunOfOnesTest(bits)
    results.push({ name: 'longest-run', ...verdict(r.pValue), parameters: { M: r.blockLength } })
  } else results.push(tooShort('longest-run', LONGEST_RUN_MIN_BITS, ' (§2.4 tables start at 128)'))

  if (n >= SP800_22_MIN_BITS) {
    for (const mode of ['forward', 'backward'] as const)
      results.push({
        name: `cumulative-sums-${mode}`,
        ...verdict(cusumPValue(n, cusumExcursion(bits, mode))),
      })
  } else {
    results.push(tooShort('cumulative-sums-forward', SP800_22_MIN_BITS))
    results.push(tooShort('cumulative-sums-backward', SP800_22_MIN_BITS))
  }

  // Serial and approximate entropy share one pattern count at the longer length, folded
  // down for the shorter (serial's m exceeds approximate entropy's m + 1 by 2).
  const mSerial = Math.min(serialBlockLength(n), MAX_PATTERN_BITS)
  const mApEn = Math.min(approximateEntropyBlockLength(n), MAX_PATTERN_BITS - 1)
  const serialRuns = n >= SP800_22_MIN_BITS && mSerial >= 2
  const apEnRuns = mApEn >= 1
  let countsBits = Math.max(mSerial, mApEn + 1)
  let counts = serialRuns || apEnRuns ? patternCounts(bits, countsBits) : new Uint32Array(0)
  const countsFor = (k: number): Uint32Array => {
    for (; countsBits > k; countsBits--) counts = foldPatternCounts(counts)
    return counts
  }

  const serial = serialRuns ? serialFromCounts(countsFor(mSerial), n, mSerial) : null
  if (apEnRuns) {
    const r = approximateEntropyFromCounts(countsFor(mApEn + 1), n, mApEn)
    results.push({ name: 'approximate-entropy', ...verdict(r.pValue), parameters: { m: mApEn } })
  } else results.push(tooShort('approximate-entropy', 128, ' (m = ⌊log2 n⌋ − 6 must be ≥ 1)'))
  if (serial !== null) {
    results.push({ name: 'serial-1', ...verdict(serial.pValue1), parameters: { m: mSerial } })
    results.push({ name: 'serial-2', ...verdict(serial.pValue2), parameters: { m: mSerial } })
  } else {
    results.push(tooShort('serial-1', SP800_22_MIN_BITS))
    results.push(tooShort('serial-2', SP800_22_MIN_BITS))
  }
  return results
}
