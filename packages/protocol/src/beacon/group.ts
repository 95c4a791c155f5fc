import { BadElementError } from '../errors.js'
import { LayoutWriter } from '../layout.js'
import { sha256, toHex } from '../platform.js'
import { concatBytes, dst, i2osp, os2ip } from './bytes.js'
import { FixedBase, modInverse, modPow, multiPow } from './modular.js'
import { GID_HEX, RSA_2048_DECIMAL } from './modulus.js'

/**
 * The group Z_N^* / {±1} of the shared beacon, version 2. An element is the class {x, −x};
 * its canonical representative is |x| = min(x mod N, N − x mod N), so equal classes have
 * equal bytes and the squaring-based assumptions hold in a group with no known element of
 * small order but −1 (modded out). Every function takes and returns bigints mod N;
 * callers take |·| where a value leaves (enc) or is compared.
 */

export const N: bigint = BigInt(RSA_2048_DECIMAL)
export const ELEMENT_BYTES = 256
const HALF_N = (N - 1n) / 2n

/** GID = SHA-256(N as 256 bytes big-endian), the group's name in every hash. */
export const GID: Uint8Array = sha256(i2osp(N, ELEMENT_BYTES))
if (toHex(GID) !== GID_HEX) throw new Error('RSA-2048 modulus does not match its GID')

/** |x| = min(x mod N, N − x mod N): the class of x in Z_N^* / {±1}. */
export function abs(x: bigint): bigint {
  let r = x % N
  if (r < 0n) r += N
  return r > HALF_N ? N - r : r
}

/** enc(x) = |x| as 256 bytes big-endian. */
export function enc(x: bigint): Uint8Array {
  return i2osp(abs(x), ELEMENT_BYTES)
}

/**
 * The element of 256 bytes big-endian, valid only in [2, (N−1)/2]: 0 and 1 are not useful
 * elements and a value above (N−1)/2 is the other representative of a class, so each
 * class has one encoding. gcd(x, N) is not checked: finding x ≠ 1 sharing a factor with N
 * would factor it.
 */
export function decodeElement(bytes: Uint8Array, what = 'element'): bigint {
  if (bytes.length !== ELEMENT_BYTES)
    throw new BadElementError(`${what} is ${bytes.length} bytes, not ${ELEMENT_BYTES}`)
  const x = os2ip(bytes)
  if (x < 2n || x > HALF_N) throw new BadElementError(`${what} is not in [2, (N-1)/2]`)
  return x
}

/** True when x is a canonical element: an integer in [2, (N−1)/2]. */
export function isElement(x: bigint): boolean {
  return x >= 2n && x <= HALF_N
}

/** x · y mod N. */
export function mulN(x: bigint, y: bigint): bigint {
  return (x * y) % N
}

/** x^e mod N, e ≥ 0. */
export function powN(x: bigint, e: bigint): bigint {
  return modPow(x, e, N)
}

/** Fixed-base tables of the bases raised most (g; h of each T in use), made on first use. */
const fixedBases = new Map<bigint, FixedBase>()
const MAX_FIXED_BASES = 4

/**
 * x^e mod N for a base raised again and again (g, h): a fixed-base comb (FixedBase), the table
 * kept. At most a few such bases are kept (g and the network's h).
 */
export function powFixed(x: bigint, e: bigint): bigint {
  let table = fixedBases.get(x)
  if (table === undefined) {
    if (fixedBases.size >= MAX_FIXED_BASES) return powN(x, e)
    table = new FixedBase(x, N)
    fixedBases.set(x, table)
  }
  return table.pow(e)
}

/** Π bases[i]^exps[i] mod N (shared squarings). */
export function multiPowN(bases: readonly bigint[], exps: readonly bigint[]): bigint {
  return multiPow(bases, exps, N)
}

/** x^-1 mod N (throws for the impossible x sharing a factor with N). */
export function invN(x: bigint): bigint {
  return modInverse(x, N)
}

const G_BLOCKS = 9 // 9 × 32 = 288 bytes: 256 bits above N's 2048, so u mod N is ~uniform

/**
 * g = |u² mod N|, u = OS2IP(SHA-256(DST("g") ‖ GID ‖ u32 i) for i = 0..8, concatenated)
 * mod N: a square of a hashed value, so nobody knows its discrete log to anything.
 */
function hashToGenerator(): bigint {
  const blocks: Uint8Array[] = []
  for (let i = 0; i < G_BLOCKS; i++) {
    const prefix = dst('g')
    const input = new LayoutWriter(prefix.length + GID.length + 4)
      .raw(prefix)
      .raw(GID)
      .u32(i, 'i').bytes
    blocks.push(sha256(input))
  }
  const u = os2ip(concatBytes(...blocks)) % N
  return abs((u * u) % N)
}

/** The generator g of version 2, derived from GID alone. */
export const G: bigint = hashToGenerator()
