import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hashPrime } from './hash-prime.js'
import { isProbablePrime } from './primality.js'

/**
 * The construction restated another way: the seed as one big integer counter (chiavdf
 * increments it in place, byte by byte), each candidate SHA-256(seed + 2i + 1) ‖ the first
 * byte of SHA-256(seed + 2i + 2), with bits 263 and 0 set.
 */
function candidates(seed: Uint8Array, count: number): bigint[] {
  const size = seed.length
  const modulus = 1n << BigInt(8 * size)
  const start = BigInt(`0x${Buffer.from(seed).toString('hex') || '0'}`)
  const at = (k: bigint) =>
    createHash('sha256')
      .update(Buffer.from(((start + k) % modulus).toString(16).padStart(2 * size, '0'), 'hex'))
      .digest()
  const out: bigint[] = []
  for (let i = 0n; i < BigInt(count); i++) {
    const blob = Buffer.concat([at(2n * i + 1n), at(2n * i + 2n).subarray(0, 1)])
    out.push(BigInt(`0x${blob.toString('hex')}`) | (1n << 263n) | 1n)
  }
  return out
}

describe('HashPrime (chiavdf)', () => {
  it('returns the first candidate that is a probable prime', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 80 }), (seed) => {
        const p = hashPrime(seed)
        const list = candidates(seed, 2000)
        const first = list.find((c) => isProbablePrime(c))
        expect(p).toBe(first)
        expect(p >> 263n).toBe(1n)
        expect(p & 1n).toBe(1n)
      }),
      { numRuns: 15 },
    )
  })

  it('carries the counter across the whole seed (all 0xff wraps to zeros)', () => {
    for (const seed of [
      new Uint8Array([0x01, 0xff, 0xff]),
      new Uint8Array([0xff, 0xff]),
      new Uint8Array([0xfe]),
    ]) {
      const first = candidates(seed, 2000).find((c) => isProbablePrime(c))
      expect(hashPrime(seed)).toBe(first)
    }
  })

  it('does not change its input', () => {
    const seed = new Uint8Array([1, 2, 3])
    hashPrime(seed)
    expect([...seed]).toEqual([1, 2, 3])
  })
})
