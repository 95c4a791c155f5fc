import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BadElementError, InvalidInputError } from '../errors.js'
import { testAlpha, testMember } from './beacon.fixtures.js'
import { ALPHA_BYTES, commitSet, commitsDigest, commitValue, commitWeight } from './commits.js'
import { enc, G, GID, N, powN } from './group.js'
import { recoveryRankKey } from './output.js'

const u32 = (v: number) => {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(v)
  return b
}
const u64 = (v: number) => {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(v))
  return b
}
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest()
}
const pool = ['a', 'b', 'c', 'd'].map(testMember)

describe('commits', () => {
  it('c = |g^α| for α read big-endian from exactly 272 bytes', () => {
    const alpha = testAlpha('commit value')
    const expected = powN(G, BigInt(`0x${Buffer.from(alpha).toString('hex')}`))
    expect(commitValue(alpha)).toBe(expected <= (N - 1n) / 2n ? expected : N - expected)
    expect(() => commitValue(new Uint8Array(ALPHA_BYTES - 1))).toThrow(InvalidInputError)
    expect(() => commitValue(new Uint8Array(ALPHA_BYTES + 1))).toThrow(InvalidInputError)
  })

  it('D_r = SHA-256(DST("commits") ‖ GID ‖ str network ‖ u64 T ‖ u64 r ‖ u32 n ‖ (bin origin ‖ enc c) sorted by origin)', () => {
    const commits = pool.slice(0, 3).map(({ origin, c }) => ({ origin, c }))
    const sorted = [...commits].sort((x, y) => Buffer.compare(x.origin, y.origin))
    const expected = sha(
      Buffer.from('alara/v2/commits\0'),
      GID,
      Buffer.from([0, 7]),
      Buffer.from('default'),
      u64(1 << 24),
      u64(77),
      u32(3),
      ...sorted.flatMap(({ origin, c }) => [u32(origin.length), origin, enc(c)]),
    )
    expect(Buffer.from(commitsDigest('default', 1 << 24, 77, commits)).equals(expected)).toBe(true)
    // and the order commits arrive in does not matter
    expect(commitsDigest('default', 1 << 24, 77, [...commits].reverse())).toEqual(
      commitsDigest('default', 1 << 24, 77, commits),
    )
  })

  it('ℓ_i = first 16 bytes of SHA-256(DST("weight") ‖ D_r ‖ bin origin ‖ enc c) OR 2^127', () => {
    const { origin, c } = pool[0] as (typeof pool)[0]
    const digest = new Uint8Array(32).fill(9)
    const h = sha(Buffer.from('alara/v2/weight\0'), digest, u32(origin.length), origin, enc(c))
    const expected = BigInt(`0x${h.subarray(0, 16).toString('hex')}`) | (1n << 127n)
    expect(commitWeight(digest, origin, c)).toBe(expected)
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (d) => {
        const w = commitWeight(d, origin, c)
        expect(w >> 127n).toBe(1n)
      }),
      { numRuns: 50 },
    )
  })

  it('the set is sorted by origin, weighted from its digest, and binds network, T and epoch', () => {
    const commits = pool.map(({ origin, c }) => ({ origin, c }))
    const set = commitSet('default', 1024, 5, commits)
    expect(set.members.map((m) => m.origin)).toEqual(
      [...commits].sort((x, y) => Buffer.compare(x.origin, y.origin)).map((m) => m.origin),
    )
    for (const m of set.members) expect(m.weight).toBe(commitWeight(set.digest, m.origin, m.c))
    const digests = [
      set.digest,
      commitSet('other', 1024, 5, commits).digest,
      commitSet('default', 2048, 5, commits).digest,
      commitSet('default', 1024, 6, commits).digest,
      commitSet('default', 1024, 5, commits.slice(1)).digest,
    ].map((d) => Buffer.from(d).toString('hex'))
    expect(new Set(digests).size).toBe(digests.length)
  })

  it('refuses two commits of one origin and commits that are not elements', () => {
    const { origin, c } = pool[0] as (typeof pool)[0]
    expect(() =>
      commitSet('default', 1024, 1, [
        { origin, c },
        { origin, c: 5n },
      ]),
    ).toThrow(InvalidInputError)
    expect(() => commitSet('default', 1024, 1, [{ origin, c: 1n }])).toThrow(BadElementError)
    expect(() => commitSet('default', 1024, 1, [{ origin, c: N - c }])).toThrow(BadElementError)
  })

  it('ranks recoverers by SHA-256(DST("rank") ‖ u64 r ‖ bin origin)', () => {
    const { origin } = pool[1] as (typeof pool)[0]
    const expected = sha(Buffer.from('alara/v2/rank\0'), u64(42), u32(origin.length), origin)
    expect(Buffer.from(recoveryRankKey(42, origin)).equals(expected)).toBe(true)
  })
})
