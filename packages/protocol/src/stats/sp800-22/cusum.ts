import { normalCdf } from '../special.js'
import { checkIntegerParam, checkUnpacked } from '../unpacked.js'

/** Cumulative sums test, SP 800-22 rev1a §2.13. */
export type CusumMode = 'forward' | 'backward'

export interface CumulativeSumsResult {
  mode: CusumMode
  /** z = max_k |S_k|, the largest excursion of the ±1 walk */
  z: number
  pValue: number
}

/** Largest excursion of the walk X = 2ε − 1, from the start (forward) or the end (backward). */
export function cusumExcursion(bits: Uint8Array, mode: CusumMode): number {
  const n = bits.length
  // Forward: max |S_k|, k = 1..n. Backward sums the last k bits: S_n − S_j for j = 0..n−1,
  // so one pass over the prefix sums S_0..S_n−1 with their min and max gives both.
  let s = 0
  let max = 0
  let min = 0
  for (let i = 0; i < n; i++) {
    if (mode === 'backward') {
      if (s > max) max = s
      if (s < min) min = s
    }
    s += 2 * (bits[i] as number) - 1
    if (mode === 'forward') {
      if (s > max) max = s
      if (s < min) min = s
    }
  }
  return mode === 'forward' ? Math.max(max, -min) : Math.max(s - min, max - s)
}

/**
 * Beyond ±10 standard deviations Φ is 1 to double precision on the right and below 8e-24
 * on the left, so sum terms whose arguments all lie beyond are dropped: this bounds the
 * work at O(√n / z) terms instead of O(n / z) for walks that barely move.
 */
const PHI_RANGE = 10

/** Σ_k [Φ((4k+hi)·z/√n) − Φ((4k+lo)·z/√n)] over integer k in [from, to]. */
function phiSum(from: number, to: number, lo: number, hi: number, scale: number): number {
  const reach = Math.ceil((PHI_RANGE / scale + 3) / 4)
  let sum = 0
  for (let k = Math.max(from, -reach); k <= Math.min(to, reach); k++)
    sum += normalCdf((4 * k + hi) * scale) - normalCdf((4 * k + lo) * scale)
  return sum
}

/** P-value of §2.13 for a walk of n steps with largest excursion z ≥ 1. */
export function cusumPValue(n: number, z: number): number {
  checkIntegerParam('walk length n', n, 1, Number.MAX_SAFE_INTEGER)
  checkIntegerParam('excursion z', z, 1, n)
  const scale = z / Math.sqrt(n)
  const r = n / z
  // The sums run over the integers k inside the document's real-valued limits.
  const sum1 = phiSum(Math.ceil((-r + 1) / 4), Math.floor((r - 1) / 4), -1, 1, scale)
  const sum2 = phiSum(Math.ceil((-r - 3) / 4), Math.floor((r - 1) / 4), 1, 3, scale)
  return Math.min(1, Math.max(0, 1 - sum1 + sum2))
}

/** §2.13, forward or backward. NIST recommends n ≥ 100. */
export function cumulativeSumsTest(
  bits: Uint8Array,
  mode: CusumMode = 'forward',
): CumulativeSumsResult {
  checkUnpacked(bits, 1, 'the cumulative sums test')
  const z = cusumExcursion(bits, mode)
  return { mode, z, pValue: cusumPValue(bits.length, z) }
}
