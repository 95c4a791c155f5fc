import { InvalidInputError } from '../../errors.js'
import { erfc, igamc } from '../special.js'
import { checkUnpacked } from '../unpacked.js'

/** Runs test, SP 800-22 rev1a §2.3. */
export interface RunsResult {
  /** π, the proportion of ones */
  pi: number
  /** V_n(obs), the number of runs */
  runs: number
  /** the frequency prerequisite |π − ½| < 2/√n; when false the test is not run and P = 0 */
  prerequisiteMet: boolean
  pValue: number
}

/**
 * §2.3: V_n = 1 + #{k : ε_k ≠ ε_k+1}, P = erfc(|V_n − 2nπ(1−π)| / (2√(2n) π(1−π))).
 * A sequence failing the frequency prerequisite gets P = 0, as the document prescribes;
 * so does a constant one (π(1−π) = 0), which only meets it below 16 bits.
 */
export function runsTest(bits: Uint8Array): RunsResult {
  const ones = checkUnpacked(bits, 1, 'the runs test')
  const n = bits.length
  const pi = ones / n
  let runs = 1
  for (let i = 1; i < n; i++) if (bits[i] !== bits[i - 1]) runs++
  // |π − ½| < 2/√n, squared into integers: (2·ones − n)² < 16n (exact at the boundary).
  const excess = 2 * ones - n
  const prerequisiteMet = excess * excess < 16 * n
  const spread = pi * (1 - pi)
  if (!prerequisiteMet || spread === 0) return { pi, runs, prerequisiteMet, pValue: 0 }
  const x = Math.abs(runs - 2 * n * spread) / (2 * Math.sqrt(2 * n) * spread)
  return { pi, runs, prerequisiteMet, pValue: erfc(x) }
}

/** Test for the longest run of ones in a block, §2.4. */
export interface LongestRunResult {
  /** M, bits per block: 8, 128 or 10^4 by n */
  blockLength: number
  /** N = ⌊n/M⌋ blocks; the last n − NM bits are not used */
  blocks: number
  /** ν_0..ν_K: blocks per class of longest run (first and last class open-ended) */
  classCounts: number[]
  chiSquared: number
  pValue: number
}

export interface LongestRunTable {
  /** smallest n the table is used for */
  minBits: number
  blockLength: number
  /** longest run counted in class 0 and below; class i is shortest + i; the last is open */
  shortest: number
  /** class probabilities π_0..π_K */
  probabilities: readonly number[]
}

/**
 * §2.4.4 / §3.4: M by n, with the document's class boundaries. Probabilities:
 * - M = 8 and 128: the exact values, which the document's table prints rounded to 4
 *   digits. The worked example of §2.4.8 (χ² = 4.882457, P = 0.180609) is computed with
 *   the exact ones (55, 94, 59, 48 / 256); the rounded ones give P = 0.180598.
 * - M = 10^4: the document's values as printed. They are not the exact distribution
 *   (≤ 10 has 0.0866, not 0.0882), but Appendix B's result for e (P = 0.718945) and the
 *   NIST reference code use them, so p-values stay comparable with other tools.
 */
export const LONGEST_RUN_TABLES: readonly LongestRunTable[] = [
  {
    minBits: 750_000,
    blockLength: 10_000,
    shortest: 10,
    probabilities: [0.0882, 0.2092, 0.2483, 0.1933, 0.1208, 0.0675, 0.0727],
  },
  {
    minBits: 6272,
    blockLength: 128,
    shortest: 4,
    probabilities: [
      0.117403578838, 0.242955959277, 0.249363483179, 0.175177060347, 0.102701071304,
      0.112398847055,
    ],
  },
  {
    minBits: 128,
    blockLength: 8,
    shortest: 1,
    probabilities: [55 / 256, 94 / 256, 59 / 256, 48 / 256],
  },
]

/** Smallest input the longest-run test has a table for. */
export const LONGEST_RUN_MIN_BITS = 128

/** §2.4: χ² = Σ (ν_i − Nπ_i)² / (Nπ_i), P = igamc(K/2, χ²/2). Needs n ≥ 128. */
export function longestRunOfOnesTest(bits: Uint8Array): LongestRunResult {
  checkUnpacked(bits, 1, 'the longest-run test')
  const n = bits.length
  const table = LONGEST_RUN_TABLES.find((t) => n >= t.minBits)
  if (table === undefined)
    throw new InvalidInputError(
      `the longest-run test needs at least ${LONGEST_RUN_MIN_BITS} bits, got ${n}`,
    )
  const { blockLength: M, shortest, probabilities } = table
  const K = probabilities.length - 1
  const N = Math.floor(n / M)
  const classCounts = new Array<number>(K + 1).fill(0)
  for (let block = 0, start = 0; block < N; block++, start += M) {
    let run = 0
    let longest = 0
    for (let i = start; i < start + M; i++) {
      if (bits[i] === 1) {
        run++
        if (run > longest) longest = run
      } else run = 0
    }
    const k = Math.min(K, Math.max(0, longest - shortest))
    classCounts[k] = (classCounts[k] as number) + 1
  }
  let chiSquared = 0
  for (let i = 0; i <= K; i++) {
    const expected = N * (probabilities[i] as number)
    const d = (classCounts[i] as number) - expected
    chiSquared += (d * d) / expected
  }
  return {
    blockLength: M,
    blocks: N,
    classCounts,
    chiSquared,
    pValue: igamc(K / 2, chiSquared / 2),
  }
}
