import { randomInt } from 'node:crypto'

/** `n` bits from the OS CSPRNG as a string of 0 and 1. */
export function randomBits(n: number): string {
  let out = ''
  for (let i = 0; i < n; i++) out += randomInt(2) === 1 ? '1' : '0'
  return out
}

/**
 * `n` (even) bits with exactly n/2 ones in random order: the MCV estimate then credits
 * them, whatever their length, and no run gets near the repetition count cutoff (41).
 */
export function balancedBits(n: number): string {
  if (n % 2 !== 0) throw new Error(`balancedBits needs an even length, got ${n}`)
  const bits = [...'1'.repeat(n / 2), ...'0'.repeat(n / 2)]
  for (let i = bits.length - 1; i > 0; i--) {
    const j = randomInt(i + 1)
    ;[bits[i], bits[j]] = [bits[j] as string, bits[i] as string]
  }
  return bits.join('')
}

/** Upper 99.5% quantile of the standard normal, SP 800-90B §6.3.1. */
const Z = 2.5758293035489008

/**
 * SP 800-90B §6.3.1 most-common-value min-entropy per bit of a bit string, written from
 * the standard (independently of @alara/protocol): p̂ = most common count / L,
 * p_u = min(1, p̂ + Z·√(p̂(1 − p̂)/(L − 1))), h = −log2 p_u; h = 0 for L < 2.
 */
export function mcvEntropyPerBit(bits: string): number {
  const L = bits.length
  if (L < 2) return 0
  let ones = 0
  for (const b of bits) if (b === '1') ones++
  const p = Math.max(ones, L - ones) / L
  const pu = Math.min(1, p + Z * Math.sqrt((p * (1 - p)) / (L - 1)))
  return pu >= 1 ? 0 : -Math.log2(pu)
}
