import { InvalidInputError } from '../errors.js'

/**
 * Modular arithmetic on native BigInt, for any modulus: the group's N and the primality
 * tests' candidates. BigInt has no modpow, so a left-to-right 2^w-ary window: about
 * bits squarings and bits/w multiplications. (gmp-wasm was ~1.15x faster at squaring mod
 * N on the reference machine, under the 1.3x that would pay for a dependency:
 * docs/BENCHMARKS.md, "Time-lock".)
 */

/** x mod m in [0, m) for any sign of x. */
export function mod(x: bigint, m: bigint): bigint {
  const r = x % m
  return r < 0n ? r + m : r
}

function windowBits(exponentBits: number): number {
  if (exponentBits <= 32) return 1
  if (exponentBits <= 256) return 4
  return 5
}

/** base^exp mod m, exp ≥ 0, m ≥ 2. */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (exp < 0n) throw new InvalidInputError('negative exponent')
  const b = mod(base, m)
  if (exp === 0n) return 1n % m
  const bits = exp.toString(2)
  const w = windowBits(bits.length)
  if (w === 1) {
    let r = b
    for (let i = 1; i < bits.length; i++) {
      r = (r * r) % m
      if (bits.charCodeAt(i) === 49) r = (r * b) % m
    }
    return r
  }
  // odd powers b^1, b^3, …, b^(2^w − 1): sliding windows only ever need those
  const b2 = (b * b) % m
  const odd: bigint[] = [b]
  for (let i = 1; i < 1 << (w - 1); i++) odd.push(((odd[i - 1] as bigint) * b2) % m)
  let r = 1n
  let started = false
  let i = 0
  while (i < bits.length) {
    if (bits.charCodeAt(i) === 48) {
      if (started) r = (r * r) % m
      i++
      continue
    }
    // longest window of ≤ w bits starting here that ends in a 1
    let end = Math.min(i + w, bits.length)
    while (bits.charCodeAt(end - 1) === 48) end--
    const value = Number.parseInt(bits.slice(i, end), 2)
    if (started) for (let k = i; k < end; k++) r = (r * r) % m
    r = started ? (r * (odd[value >> 1] as bigint)) % m : (odd[value >> 1] as bigint)
    started = true
    i = end
  }
  return r
}

/**
 * Π bases[i]^exps[i] mod m with shared squarings (Straus, 4-bit fixed windows): the
 * weighted products of 128-bit weights cost ~128 squarings in all, not per base.
 */
export function multiPow(bases: readonly bigint[], exps: readonly bigint[], m: bigint): bigint {
  if (bases.length !== exps.length)
    throw new InvalidInputError('bases and exponents differ in count')
  let maxBits = 0
  for (const e of exps) {
    if (e < 0n) throw new InvalidInputError('negative exponent')
    maxBits = Math.max(maxBits, e.toString(2).length)
  }
  if (bases.length === 0 || maxBits === 0) return 1n % m
  const digits = Math.ceil(maxBits / 4)
  const tables = bases.map((base) => {
    const b = mod(base, m)
    const t = [1n, b]
    for (let i = 2; i < 16; i++) t.push(((t[i - 1] as bigint) * b) % m)
    return t
  })
  const hexes = exps.map((e) => e.toString(16).padStart(digits, '0'))
  let r = 1n
  for (let d = 0; d < digits; d++) {
    if (d > 0) for (let k = 0; k < 4; k++) r = (r * r) % m
    for (let i = 0; i < bases.length; i++) {
      const nibble = Number.parseInt((hexes[i] as string)[d] as string, 16)
      if (nibble !== 0) r = (r * ((tables[i] as bigint[])[nibble] as bigint)) % m
    }
  }
  return r
}

/**
 * Powers of one base that is raised to many exponents (g and h of version 2: every commit,
 * every combination): Yao's fixed-base method with 6-bit digits. The table holds
 * b^(64^i), built as far as the largest exponent seen (one squaring chain, once: ~390
 * elements, ~100 KB for the beacon's 2300-bit exponents); an exponent of k bits then
 * costs ~k/6 + 126 multiplications instead of ~k squarings and k/5 multiplications.
 */
const DIGIT_BITS = 6
const DIGIT_VALUES = 1 << DIGIT_BITS
const DIGIT_MASK = BigInt(DIGIT_VALUES - 1)
export class FixedBase {
  private readonly powers: bigint[]

  constructor(
    base: bigint,
    private readonly m: bigint,
  ) {
    this.powers = [mod(base, m)]
  }

  /** base^exp mod m, exp ≥ 0. */
  pow(exp: bigint): bigint {
    if (exp < 0n) throw new InvalidInputError('negative exponent')
    // the positions of each digit value (position 0: the lowest)
    const byDigit: number[][] = Array.from({ length: DIGIT_VALUES }, () => [])
    let n = 0
    for (let e = exp; e > 0n; e >>= BigInt(DIGIT_BITS), n++)
      (byDigit[Number(e & DIGIT_MASK)] as number[]).push(n)
    this.extendTo(n)
    // A collects the product of B over j = 63..1; B the powers whose digit is ≥ j
    let a = 1n
    let b = 1n
    for (let j = DIGIT_VALUES - 1; j >= 1; j--) {
      for (const i of byDigit[j] as number[]) b = (b * (this.powers[i] as bigint)) % this.m
      if (b !== 1n) a = (a * b) % this.m
    }
    return a % this.m
  }

  private extendTo(n: number): void {
    const { powers, m } = this
    while (powers.length < n) {
      let x = powers[powers.length - 1] as bigint
      for (let k = 0; k < DIGIT_BITS; k++) x = (x * x) % m
      powers.push(x)
    }
  }
}

/** x^-1 mod m; refused when gcd(x, m) ≠ 1 (for N that would be a factor of N). */
export function modInverse(x: bigint, m: bigint): bigint {
  let [a, b] = [mod(x, m), m]
  let [u, v] = [1n, 0n]
  while (b !== 0n) {
    const q = a / b
    ;[a, b] = [b, a - q * b]
    ;[u, v] = [v, u - q * v]
  }
  if (a !== 1n) throw new InvalidInputError('not invertible: shares a factor with the modulus')
  return mod(u, m)
}
