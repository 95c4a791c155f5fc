import { erfc, igamc } from '../special.js'
import { checkIntegerParam, checkUnpacked } from '../unpacked.js'

/** Frequency (monobit) test, SP 800-22 rev1a §2.1. */
export interface FrequencyResult {
  /** |S_n| / √n with S_n = Σ(2ε − 1) */
  sObs: number
  pValue: number
}

/** §2.1: P = erfc(|S_n| / √(2n)). Any n ≥ 1; NIST recommends n ≥ 100. */
export function frequencyTest(bits: Uint8Array): FrequencyResult {
  const ones = checkUnpacked(bits, 1, 'the frequency test')
  const n = bits.length
  const sObs = Math.abs(2 * ones - n) / Math.sqrt(n)
  return { sObs, pValue: erfc(sObs / Math.SQRT2) }
}

/** Frequency test within a block, §2.2. */
export interface BlockFrequencyResult {
  /** M, bits per block */
  blockLength: number
  /** N = ⌊n/M⌋; the last n − NM bits are not used */
  blocks: number
  chiSquared: number
  pValue: number
}

/**
 * The block length the suite uses for n bits: the smallest M that meets §2.2.7's
 * recommendation M ≥ 20, M > 0.01n (so N = ⌊n/M⌋ < 100), i.e. M = max(20, ⌊n/100⌋ + 1).
 */
export function blockFrequencyBlockLength(n: number): number {
  return Math.max(20, Math.floor(n / 100) + 1)
}

/** §2.2: χ² = 4M Σ(π_i − ½)², P = igamc(N/2, χ²/2). Needs 1 ≤ M ≤ n. */
export function blockFrequencyTest(bits: Uint8Array, blockLength: number): BlockFrequencyResult {
  checkUnpacked(bits, 1, 'the block frequency test')
  const n = bits.length
  checkIntegerParam('block length M', blockLength, 1, n)
  const M = blockLength
  const N = Math.floor(n / M)
  // 4M(ones/M − ½)² = (2·ones − M)²/M: summing integers keeps χ² exact until the division.
  let sum = 0
  for (let block = 0, start = 0; block < N; block++, start += M) {
    let ones = 0
    for (let i = start; i < start + M; i++) ones += bits[i] as number
    const d = 2 * ones - M
    sum += d * d
  }
  const chiSquared = sum / M
  return { blockLength: M, blocks: N, chiSquared, pValue: igamc(N / 2, chiSquared / 2) }
}
