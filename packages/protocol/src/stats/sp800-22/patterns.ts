import { InvalidInputError } from '../../errors.js'
import { igamc } from '../special.js'
import { checkIntegerParam, checkUnpacked } from '../unpacked.js'

/**
 * Serial (§2.11) and approximate entropy (§2.12) tests: both count every overlapping
 * m-bit pattern with the sequence wrapped around (its first m−1 bits appended).
 */

/** Longest pattern counted: 2^25 counters (128 MiB of Uint32) is already generous. */
export const MAX_PATTERN_BITS = 25

/**
 * Counts of the n overlapping, wrapped-around k-bit patterns, indexed by their value
 * (first bit most significant). k = 0 gives [n]. Needs 0 ≤ k ≤ n.
 */
export function patternCounts(bits: Uint8Array, k: number): Uint32Array {
  const n = bits.length
  const counts = new Uint32Array(2 ** k)
  if (k === 0) {
    counts[0] = n
    return counts
  }
  const mask = 2 ** k - 1
  let v = 0
  for (let i = 0; i < k - 1; i++) v = (v << 1) | (bits[i] as number)
  // The pattern starting at j ends at j + k − 1: first the unwrapped ends, then the wrap.
  for (let i = k - 1; i < n; i++) {
    v = ((v << 1) | (bits[i] as number)) & mask
    counts[v] = (counts[v] as number) + 1
  }
  for (let i = 0; i < k - 1; i++) {
    v = ((v << 1) | (bits[i] as number)) & mask
    counts[v] = (counts[v] as number) + 1
  }
  return counts
}

/**
 * Counts of (k−1)-bit patterns from those of k-bit patterns: on the wrapped sequence the
 * (k−1)-bit pattern at j is the prefix of the k-bit pattern at j, so C'[x] = C[2x] + C[2x+1].
 */
export function foldPatternCounts(counts: Uint32Array): Uint32Array {
  const out = new Uint32Array(counts.length >> 1)
  for (let x = 0; x < out.length; x++)
    out[x] = (counts[2 * x] as number) + (counts[2 * x + 1] as number)
  return out
}

/** ψ²_m = (2^m / n) Σ C_i² − n, from the m-bit pattern counts of n bits. */
function psiSquared(counts: Uint32Array, n: number): number {
  let sumSquares = 0
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number
    sumSquares += c * c
  }
  // Integer numerator (exact while below 2^53, i.e. n up to ~9e7 bits), one rounding.
  return (counts.length * sumSquares - n * n) / n
}

/** φ(m) = Σ π_i ln π_i over the m-bit pattern frequencies π_i = C_i / n. */
function phi(counts: Uint32Array, n: number): number {
  let sum = 0
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number
    if (c > 0) sum += c * Math.log(c / n)
  }
  return sum / n
}

/** ⌊log2 n⌋ for n ≥ 1, exactly (no floating log). */
function floorLog2(n: number): number {
  let k = 0
  while (2 ** (k + 1) <= n) k++
  return k
}

/** Serial test, §2.11. */
export interface SerialResult {
  m: number
  /** ψ²_m, ψ²_m−1, ψ²_m−2 */
  psiSquared: [number, number, number]
  /** ∇ψ²_m = ψ²_m − ψ²_m−1 */
  delta1: number
  /** ∇²ψ²_m = ψ²_m − 2ψ²_m−1 + ψ²_m−2 */
  delta2: number
  /** igamc(2^(m−2), ∇ψ²_m / 2) */
  pValue1: number
  /** igamc(2^(m−3), ∇²ψ²_m / 2) */
  pValue2: number
}

/**
 * The pattern length the suite uses for the serial test: the largest m that §2.11.7
 * allows, m < ⌊log2 n⌋ − 2, i.e. ⌊log2 n⌋ − 3 (16 for 10^6 bits, as in the NIST
 * examples). Below 2 (n < 32) the test cannot run.
 */
export function serialBlockLength(n: number): number {
  return n < 1 ? 0 : floorLog2(n) - 3
}

/** §2.11 with pattern length m, 2 ≤ m ≤ min(n, MAX_PATTERN_BITS). */
export function serialTest(bits: Uint8Array, m: number): SerialResult {
  checkUnpacked(bits, 1, 'the serial test')
  const n = bits.length
  checkIntegerParam('serial pattern length m', m, 2, Math.min(n, MAX_PATTERN_BITS))
  return serialFromCounts(patternCounts(bits, m), n, m)
}

/** §2.11 from the m-bit pattern counts (the shorter ones are folded from them). */
export function serialFromCounts(countsM: Uint32Array, n: number, m: number): SerialResult {
  const countsM1 = foldPatternCounts(countsM)
  const countsM2 = foldPatternCounts(countsM1)
  const psi: [number, number, number] = [
    psiSquared(countsM, n),
    psiSquared(countsM1, n),
    psiSquared(countsM2, n),
  ]
  const delta1 = psi[0] - psi[1]
  const delta2 = psi[0] - 2 * psi[1] + psi[2]
  // A statistic rounded just below 0 is a tail probability of 1.
  return {
    m,
    psiSquared: psi,
    delta1,
    delta2,
    pValue1: igamc(2 ** (m - 2), Math.max(0, delta1) / 2),
    pValue2: igamc(2 ** (m - 3), Math.max(0, delta2) / 2),
  }
}

/** Approximate entropy test, §2.12. */
export interface ApproximateEntropyResult {
  m: number
  /** ApEn(m) = φ(m) − φ(m+1), natural logarithms */
  apEn: number
  /** χ² = 2n(ln 2 − ApEn) */
  chiSquared: number
  /** igamc(2^(m−1), χ²/2) */
  pValue: number
}

/**
 * The block length the suite uses for approximate entropy: the largest m that §2.12.7
 * allows, m < ⌊log2 n⌋ − 5, i.e. ⌊log2 n⌋ − 6 (13 for 10^6 bits). Below 1 (n < 128) the
 * test cannot run.
 */
export function approximateEntropyBlockLength(n: number): number {
  return n < 1 ? 0 : floorLog2(n) - 6
}

/** §2.12 with block length m, 1 ≤ m and m + 1 ≤ min(n, MAX_PATTERN_BITS). */
export function approximateEntropyTest(bits: Uint8Array, m: number): ApproximateEntropyResult {
  checkUnpacked(bits, 1, 'the approximate entropy test')
  const n = bits.length
  if (n < 2) throw new InvalidInputError('the approximate entropy test needs at least 2 bits')
  checkIntegerParam('approximate entropy block length m', m, 1, Math.min(n, MAX_PATTERN_BITS) - 1)
  return approximateEntropyFromCounts(patternCounts(bits, m + 1), n, m)
}

/** §2.12 from the (m+1)-bit pattern counts (the m-bit ones are folded from them). */
export function approximateEntropyFromCounts(
  countsM1: Uint32Array,
  n: number,
  m: number,
): ApproximateEntropyResult {
  const apEn = phi(foldPatternCounts(countsM1), n) - phi(countsM1, n)
  // ApEn ≤ ln 2 exactly (it is a conditional entropy); rounding may cross it by an ulp.
  const chiSquared = Math.max(0, 2 * n * (Math.LN2 - apEn))
  return { m, apEn, chiSquared, pValue: igamc(2 ** (m - 1), chiSquared / 2) }
}
