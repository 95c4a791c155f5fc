import { expect } from 'vitest'

/**
 * Worked examples printed in NIST SP 800-22 rev1a (section numbers in each test), checked
 * to the printed precision: |got − printed| ≤ half a unit of the last printed digit.
 * Where the document's own number is off, the test says so and also checks the exact
 * value of the document's formula (computed with mpmath at 40 digits).
 */

export function bitsOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => (c === '1' ? 1 : 0))
}

export function expectPrinted(got: number, printed: string): void {
  const decimals = printed.split('.')[1]?.length ?? 0
  expect(Math.abs(got - Number(printed)), `got ${got}, printed ${printed}`).toBeLessThanOrEqual(
    0.5 * 10 ** -decimals + 1e-15,
  )
}

/** §2.1.8, 2.2.8, 2.3.8, 2.12.8, 2.13.8: the same 100-bit ε. */
export const EPS_100 = bitsOf(
  '1100100100001111110110101010001000100001011010001100001000110100110001001100011001100010100010111000',
)

/** §2.4.8: 128 bits. */
export const EPS_128 = bitsOf(
  '11001100000101010110110001001100111000000000001001001101010100010001001111010110100000001101011111001100111001101101100010110010',
)

/**
 * The first n bits of e in binary (10.1011011111100001…), the sequence of SP 800-22's
 * Appendix B and of the NIST reference code's data/data.e. e = Σ 1/k! by binary
 * splitting on BigInt; the bits are ⌊e · 2^(n−2)⌋. ~0.1 s for 10^6 bits.
 */
function eBits(n: number): Uint8Array {
  const split = (a: number, b: number): [bigint, bigint] => {
    if (b - a === 1) return [1n, BigInt(b)]
    const mid = (a + b) >> 1
    const [p1, q1] = split(a, mid)
    const [p2, q2] = split(mid, b)
    return [p1 * q2 + p2, q1 * q2]
  }
  // Enough terms that the tail Σ_{k>K} 1/k! < 2^-(n+64).
  let terms = 2
  for (let log2Factorial = 0; log2Factorial < n + 64; terms++) log2Factorial += Math.log2(terms)
  const [p, q] = split(0, terms) // Σ_{k=1..terms} 1/k! = p/q
  return bitsOf((((q + p) << BigInt(n - 2)) / q).toString(2))
}

export const E_1M = eBits(1_000_000)
