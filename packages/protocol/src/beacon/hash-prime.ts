import { InvalidInputError } from '../errors.js'
import { sha256 } from '../platform.js'
import { os2ip } from './bytes.js'
import { isProbablePrime } from './primality.js'

/**
 * HashPrime, chiavdf's construction (src/proof_common.h, HashPrime(seed, 264, {263})),
 * byte for byte:
 *   sprout = a copy of seed
 *   repeat:
 *     blob = empty
 *     while blob is shorter than 33 bytes:
 *       sprout += 1, as one big-endian integer of sprout's length (the carry runs from the
 *         last byte towards the first; all 0xff wraps to all 0x00)
 *       blob ‖= the first min(32, 33 − |blob|) bytes of SHA-256(sprout)
 *     p = OS2IP(blob), then bit 263 and bit 0 set
 *     if p is a (Baillie–PSW) probable prime: return p
 * So the first candidate is SHA-256(seed + 1) ‖ the first byte of SHA-256(seed + 2), the
 * next uses seed + 3 and seed + 4, and so on; the counter is never reset. p is odd and
 * 2^263 ≤ p < 2^264.
 */

export const HASH_PRIME_BITS = 264
const BLOB_BYTES = HASH_PRIME_BITS / 8
const TOP_BIT = 1n << BigInt(HASH_PRIME_BITS - 1)

function increment(sprout: Uint8Array): void {
  for (let i = sprout.length - 1; i >= 0; i--) {
    sprout[i] = ((sprout[i] as number) + 1) & 0xff
    if (sprout[i] !== 0) return
  }
}

/** The 264-bit prime chiavdf's HashPrime derives from `seed`. */
export function hashPrime(seed: Uint8Array): bigint {
  if (seed.length === 0) throw new InvalidInputError('HashPrime needs a non-empty seed')
  const sprout = new Uint8Array(seed)
  const blob = new Uint8Array(BLOB_BYTES)
  for (;;) {
    let filled = 0
    while (filled < BLOB_BYTES) {
      increment(sprout)
      const digest = sha256(sprout)
      const take = Math.min(digest.length, BLOB_BYTES - filled)
      blob.set(digest.subarray(0, take), filled)
      filled += take
    }
    const p = os2ip(blob) | TOP_BIT | 1n
    if (isProbablePrime(p)) return p
  }
}
