import { mod, modPow } from './modular.js'

/**
 * Baillie–PSW: a strong probable-prime test to base 2 (Miller–Rabin) and a strong Lucas
 * probable-prime test with Selfridge's method A parameters, after trial division. No
 * composite passing both is known, and none exists below 2^64; it is deterministic, so
 * every node picks the same HashPrime. chiavdf itself (src/primetest.h) now runs the
 * strengthened BPSW of Baillie, Fiori and Wagstaff (2021: Miller–Rabin base 2 and a
 * Lucas-V test): a number on which the two disagree would be a pseudoprime of one of them,
 * and none is known, so the primes are chiavdf's as far as anyone can tell.
 */

const SMALL_PRIMES = [
  3n,
  5n,
  7n,
  11n,
  13n,
  17n,
  19n,
  23n,
  29n,
  31n,
  37n,
  41n,
  43n,
  47n,
  53n,
  59n,
  61n,
  67n,
  71n,
  73n,
  79n,
  83n,
  89n,
  97n,
]

/** Jacobi symbol (a/n) for odd n > 0. */
export function jacobi(a: bigint, n: bigint): number {
  let x = mod(a, n)
  let m = n
  let result = 1
  while (x !== 0n) {
    while ((x & 1n) === 0n) {
      x >>= 1n
      const r = m & 7n
      if (r === 3n || r === 5n) result = -result
    }
    ;[x, m] = [m, x]
    if ((x & 3n) === 3n && (m & 3n) === 3n) result = -result
    x %= m
  }
  return m === 1n ? result : 0
}

/** ⌊√n⌋ for n ≥ 0 (Newton). */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2))
  for (;;) {
    const y = (x + n / x) >> 1n
    if (y >= x) return x
    x = y
  }
}

/** Miller–Rabin to base 2 for odd n > 2. */
export function isStrongProbablePrimeBase2(n: bigint): boolean {
  let d = n - 1n
  let s = 0
  while ((d & 1n) === 0n) {
    d >>= 1n
    s++
  }
  let x = modPow(2n, d, n)
  if (x === 1n || x === n - 1n) return true
  for (let i = 1; i < s; i++) {
    x = (x * x) % n
    if (x === n - 1n) return true
  }
  return false
}

/** (x / 2) mod n for odd n. */
function half(x: bigint, n: bigint): bigint {
  return (x & 1n) === 0n ? x >> 1n : (x + n) >> 1n
}

/**
 * Strong Lucas test for odd n > 2 that is not a perfect square, P = 1, Q = (1 − D)/4 with
 * D the first of 5, −7, 9, −11, … such that (D/n) = −1 (Selfridge's method A).
 */
export function isStrongLucasProbablePrime(n: bigint): boolean {
  let D = 5n
  for (;;) {
    const j = jacobi(D, n)
    if (j === -1) break
    // D shares a factor with n (and n is not D itself)
    if (j === 0 && mod(D, n) !== 0n) return false
    D = D > 0n ? -(D + 2n) : -D + 2n
  }
  const P = 1n
  const Q = (1n - D) / 4n
  // n + 1 = d · 2^s, d odd
  let d = n + 1n
  let s = 0
  while ((d & 1n) === 0n) {
    d >>= 1n
    s++
  }
  // U_k, V_k, Q^k by binary expansion of d from its top bit (U_1 = 1, V_1 = P)
  let U = 1n
  let V = P
  let Qk = mod(Q, n)
  const bits = d.toString(2)
  for (let i = 1; i < bits.length; i++) {
    U = (U * V) % n
    V = mod(V * V - 2n * Qk, n)
    Qk = (Qk * Qk) % n
    if (bits.charCodeAt(i) === 49) {
      const U1 = half(mod(P * U + V, n), n)
      V = half(mod(D * U + P * V, n), n)
      U = U1
      Qk = mod(Qk * Q, n)
    }
  }
  if (U === 0n || V === 0n) return true
  // V_{d·2^r} for r = 1..s−1
  for (let r = 1; r < s; r++) {
    V = mod(V * V - 2n * Qk, n)
    if (V === 0n) return true
    Qk = (Qk * Qk) % n
  }
  return false
}

/** Baillie–PSW primality, deterministic. */
export function isProbablePrime(n: bigint): boolean {
  if (n < 2n) return false
  if (n === 2n) return true
  if ((n & 1n) === 0n) return false
  for (const p of SMALL_PRIMES) {
    if (n === p) return true
    if (n % p === 0n) return false
  }
  if (!isStrongProbablePrimeBase2(n)) return false
  const root = isqrt(n)
  if (root * root === n) return false
  return isStrongLucasProbablePrime(n)
}
