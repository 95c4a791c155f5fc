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
 * every combination): Lim and Lee's comb. The exponent's bits are laid out as COMB_ROWS
 * rows of a bits, each row cut into COMB_COLUMNS blocks of b bits; the table holds, for
 * every block j and every set u of rows, the product of base^(2^(i·a + j·b)) over the
 * rows i in u. An exponent of k bits then costs b − 1 squarings and ~k/COMB_ROWS
 * multiplications (~290 for the beacon's 2300-bit exponents, where Yao's method with
 * 6-bit digits took ~450 and square-and-multiply ~2760). The table (4 × 1023 elements,
 * ~1 MB at 2048 bits) is built on first use, by one squaring chain and one product per
 * element, and built again, larger, if a longer exponent comes.
 */
const COMB_ROWS = 10
const COMB_COLUMNS = 4
const ROW_SETS = 1 << COMB_ROWS

export class FixedBase {
  private readonly base: bigint
  /** a: bits per row (COMB_COLUMNS × b), 0 until the first build */
  private rowBits = 0
  /** b: bits per block */
  private blockBits = 0
  /** tables[j][u]: Π over rows i in u of base^(2^(i·a + j·b)); tables[j][0] = 1 */
  private tables: bigint[][] = []

  constructor(
    base: bigint,
    private readonly m: bigint,
  ) {
    this.base = mod(base, m)
  }

  /** base^exp mod m, exp ≥ 0. */
  pow(exp: bigint): bigint {
    if (exp < 0n) throw new InvalidInputError('negative exponent')
    const { m } = this
    if (exp === 0n) return 1n % m
    const bits = exp.toString(2) // most significant first: bit p is bits[k − 1 − p]
    const k = bits.length
    if (k > COMB_ROWS * this.rowBits) this.build(k)
    const { rowBits: a, blockBits: b, tables } = this
    let r = 1n
    for (let t = b - 1; t >= 0; t--) {
      if (r !== 1n) r = (r * r) % m
      for (let j = 0; j < COMB_COLUMNS; j++) {
        let u = 0
        for (let i = 0, p = j * b + t; i < COMB_ROWS && p < k; i++, p += a)
          if (bits.charCodeAt(k - 1 - p) === 49) u |= 1 << i
        if (u !== 0) r = (r * ((tables[j] as bigint[])[u] as bigint)) % m
      }
    }
    return r % m
  }

  /** Tables for exponents of up to `k` bits (a quarter more, so that growth rebuilds rarely). */
  private build(k: number): void {
    const { m } = this
    const want = Math.max(k, Math.ceil(COMB_ROWS * this.rowBits * 1.25))
    const b = Math.ceil(Math.ceil(want / COMB_ROWS) / COMB_COLUMNS)
    const a = COMB_COLUMNS * b
    // powers[i][j] = base^(2^(i·a + j·b)), one squaring chain over every position
    const powers: bigint[][] = Array.from({ length: COMB_ROWS }, () => [])
    let x = this.base
    for (let i = 0; i < COMB_ROWS; i++)
      for (let j = 0; j < COMB_COLUMNS; j++) {
        ;(powers[i] as bigint[])[j] = x
        for (let s = 0; s < b; s++) x = (x * x) % m
      }
    this.tables = Array.from({ length: COMB_COLUMNS }, (_, j) => {
      const table = new Array<bigint>(ROW_SETS)
      table[0] = 1n % m
      // u = (u without its lowest row) + that row
      for (let u = 1; u < ROW_SETS; u++) {
        const low = 31 - Math.clz32(u & -u)
        table[u] = ((table[u & (u - 1)] as bigint) * ((powers[low] as bigint[])[j] as bigint)) % m
      }
      return table
    })
    this.rowBits = a
    this.blockBits = b
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
