import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  isProbablePrime,
  isqrt,
  isStrongLucasProbablePrime,
  isStrongProbablePrimeBase2,
  jacobi,
} from './primality.js'

const LIMIT = 30_000
const sieve = new Uint8Array(LIMIT).fill(1)
sieve[0] = sieve[1] = 0
for (let i = 2; i * i < LIMIT; i++)
  if (sieve[i]) for (let j = i * i; j < LIMIT; j += i) sieve[j] = 0

// OEIS A001262 (strong pseudoprimes to base 2) and A217255 (strong Lucas pseudoprimes)
const STRONG_PSP_2 = [2047n, 3277n, 4033n, 4681n, 8321n, 15841n, 29341n, 42799n, 49141n, 52633n]
const STRONG_LUCAS_PSP = [5459n, 5777n, 10877n, 16109n, 18971n, 22499n, 24569n, 25199n, 40309n]
// Carmichael numbers, and a strong pseudoprime to every prime base below 41 (Arnault's 397-digit one is
// too long here; this one, 3825123056546413051, is a strong psp to bases 2..23)
const COMPOSITES = [561n, 1105n, 1729n, 2465n, 41041n, 825265n, 3825123056546413051n]

describe('Baillie–PSW', () => {
  it('agrees with a sieve below 30000', () => {
    for (let n = 0; n < LIMIT; n++) expect(isProbablePrime(BigInt(n))).toBe(sieve[n] === 1)
  })

  it('catches the pseudoprimes of each half with the other half', () => {
    for (const n of STRONG_PSP_2) {
      expect(isStrongProbablePrimeBase2(n)).toBe(true)
      expect(isProbablePrime(n)).toBe(false)
    }
    for (const n of STRONG_LUCAS_PSP) {
      expect(isStrongLucasProbablePrime(n)).toBe(true)
      expect(isProbablePrime(n)).toBe(false)
    }
    for (const n of COMPOSITES) expect(isProbablePrime(n)).toBe(false)
  })

  it('knows large primes and refuses their products and squares', () => {
    const m127 = (1n << 127n) - 1n
    const m89 = (1n << 89n) - 1n
    const m521 = (1n << 521n) - 1n
    for (const p of [m127, m89, m521, (1n << 255n) - 19n]) expect(isProbablePrime(p)).toBe(true)
    for (const c of [m127 * m89, m89 * m89, m127 * m127, (1n << 264n) + 1n])
      expect(isProbablePrime(c)).toBe(false)
  })

  it('jacobi(a, p) is Euler’s criterion for an odd prime p', () => {
    const primes = [3n, 5n, 7n, 101n, 7919n, 104729n]
    fc.assert(
      fc.property(
        fc.constantFrom(...primes),
        fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
        (p, a) => {
          const r = ((a % p) + p) % p
          let euler = 1n
          for (let e = (p - 1n) / 2n, b = r; e > 0n; e >>= 1n, b = (b * b) % p)
            if (e & 1n) euler = (euler * b) % p
          const expected = r === 0n ? 0 : euler === 1n ? 1 : -1
          expect(jacobi(a, p)).toBe(expected)
        },
      ),
    )
  })

  it('isqrt is the floor of the square root', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 300n }), (n) => {
        const r = isqrt(n)
        expect(r * r <= n && (r + 1n) * (r + 1n) > n).toBe(true)
      }),
    )
  })
})
