import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { epochDigest } from '../epoch.js'
import { toHex } from '../signing.js'
import { AdmissionBook } from './book.js'

const NETWORK = 'book'
const EPOCH = 9
const SELF = 'ee'.repeat(38)
const [A, B, C, D] = ['a1', 'b2', 'c3', 'd4'].map((b) => b.repeat(38)) as [
  string,
  string,
  string,
  string,
]
const id = (n: number) => createHash('sha256').update(`item ${n}`).digest('hex')
const digestOf = (ids: readonly string[]) =>
  toHex(
    epochDigest(
      NETWORK,
      EPOCH,
      ids.map((i) => Buffer.from(i, 'hex')),
    ),
  )
const enc = (origin: string, digest: string) => new TextEncoder().encode(`${origin}:${digest}`)
const all = () => true
const book = (opts = {}) =>
  new AdmissionBook({ network: NETWORK, epoch: EPOCH, selfHex: SELF, ...opts })

/** Records `origin`'s vote over `ids`, with the ids. */
function vote(b: AdmissionBook, origin: string, ids: string[]) {
  const d = digestOf(ids)
  const added = b.addVote(origin, d, ids.length, enc(origin, d))
  expect(b.addIds(d, ids)).toBe(true)
  return { d, added }
}

describe('AdmissionBook', () => {
  it('counts distinct counted members other than itself whose checked ids contain the item', () => {
    const b = book()
    const [x, y, z] = [id(1), id(2), id(3)]
    vote(b, A, [x, y])
    vote(b, B, [y])
    vote(b, SELF, [x, y, z])
    // C's vote without its ids does not vouch yet
    const dc = digestOf([x, z])
    expect(b.addVote(C, dc, 2, enc(C, dc))).toBe('new')
    expect(b.vouchers(x, all)).toEqual([A])
    expect(b.vouchers(y, all)).toEqual([A, B])
    expect(b.vouchers(z, all)).toEqual([])
    expect(b.missingIds(all)).toEqual([{ digestHex: dc, count: 2, voters: [C] }])
    expect(b.addIds(dc, [z, x])).toBe(true)
    expect(b.idsOf(dc)).toEqual([x, z].sort())
    expect(b.vouchers(x, all)).toEqual([A, C])
    expect(b.vouchers(z, all)).toEqual([C])
    expect(b.missingIds(all)).toEqual([])
    // membership is asked at each question
    expect(b.vouchers(x, (o) => o !== A)).toEqual([C])
    expect(b.admits(y, 2, all)).toBe(true)
    expect(b.admits(y, 3, all)).toBe(false)
    expect(b.admits(y, 2, (o) => o !== B)).toBe(false)
    expect(() => b.admits(y, 0, all)).toThrow(/round/)
  })

  it('keeps every distinct vote: a later vote that drops the item withdraws nothing', () => {
    const b = book()
    const [x, y] = [id(1), id(2)]
    const first = vote(b, A, [x, y])
    expect(first.added).toBe('new')
    const later = vote(b, A, [y])
    expect(later.added).toBe('new')
    expect(b.vouchers(x, all)).toEqual([A])
    // the same digest again is known, whatever the bytes
    expect(b.addVote(A, first.d, 2, new Uint8Array([9]))).toBe('known')
    expect(b.evidenceFor(x, 1, all)).toEqual([
      { vote: enc(A, first.d), originHex: A, ids: [x, y].sort() },
    ])
    // both are kept to be relayed, in the order they came
    expect([...b.votes()]).toEqual([
      { originHex: A, digestHex: first.d, encoded: enc(A, first.d) },
      { originHex: A, digestHex: later.d, encoded: enc(A, later.d) },
    ])
  })

  it('refuses ids that do not hash to the digest, and ids of a digest nobody voted', () => {
    const b = book()
    const [x, y] = [id(1), id(2)]
    const d = digestOf([x, y])
    expect(b.addIds(d, [x, y])).toBe(false) // no vote names it yet
    b.addVote(A, d, 2, enc(A, d))
    expect(b.addIds(d, [x])).toBe(false)
    expect(b.addIds(d, [x, y, id(3)])).toBe(false)
    expect(b.addIds(d, [x, 'zz'])).toBe(false)
    expect(b.addIds(d, [x.toUpperCase(), y])).toBe(false)
    expect(b.idsOf(d)).toBeUndefined()
    expect(b.vouchers(x, all)).toEqual([])
    expect(b.addIds(d, [y, x])).toBe(true)
    // known ids: the same set again is true, another set false
    expect(b.addIds(d, [x, y])).toBe(true)
    expect(b.addIds(d, [x])).toBe(false)
  })

  it('is bounded: votes per origin and digests in all', () => {
    const b = book({ maxVotesPerOrigin: 2, maxDigests: 3 })
    const d = (n: number) => digestOf([id(n)])
    expect(b.addVote(A, d(1), 1, enc(A, d(1)))).toBe('new')
    expect(b.addVote(A, d(2), 1, enc(A, d(2)))).toBe('new')
    expect(b.addVote(A, d(3), 1, enc(A, d(3)))).toBe('full')
    expect(b.addVote(A, d(1), 1, enc(A, d(1)))).toBe('known')
    expect(b.addVote(B, d(3), 1, enc(B, d(3)))).toBe('new')
    expect(b.addVote(C, d(4), 1, enc(C, d(4)))).toBe('full')
    // a known digest still takes new voters
    expect(b.addVote(C, d(1), 1, enc(C, d(1)))).toBe('new')
    expect(b.digestCount).toBe(3)
    expect(() => book({ maxDigests: 0 })).toThrow(/maxDigests/)
  })

  it('evidence: k vouchers, each with a covering vote and its ids', () => {
    const b = book()
    const [x, y] = [id(1), id(2)]
    vote(b, C, [y])
    const dc = vote(b, C, [x, y]).d
    const da = vote(b, A, [x]).d
    vote(b, B, [x, y])
    vote(b, D, [y])
    const ev = b.evidenceFor(x, 2, all)
    expect(ev.map((e) => e.originHex)).toEqual([A, B])
    expect(ev[0]).toEqual({ vote: enc(A, da), originHex: A, ids: [x] })
    expect(b.evidenceFor(x, 9, all).map((e) => e.originHex)).toEqual([A, B, C])
    expect(b.evidenceFor(x, 9, all)[2]?.vote).toEqual(enc(C, dc))
    expect(b.evidenceFor(x, 0, all)).toEqual([])
  })

  it('vouchers match the definition on random votes, ids and membership', () => {
    const items = Array.from({ length: 8 }, (_, i) => id(i))
    const origins = [SELF, A, B, C, D]
    const voteArb = fc.record({
      origin: fc.constantFrom(...origins),
      ids: fc.subarray(items, { minLength: 0 }),
      withIds: fc.boolean(),
    })
    fc.assert(
      fc.property(fc.array(voteArb, { maxLength: 14 }), fc.subarray(origins), (votes, counted) => {
        const b = book()
        const isCounted = (o: string) => counted.includes(o)
        for (const v of votes) {
          const d = digestOf(v.ids)
          b.addVote(v.origin, d, v.ids.length, enc(v.origin, d))
          if (v.withIds) b.addIds(d, v.ids)
        }
        // a digest's ids are known when any vote with it came with them
        const known = new Set(votes.filter((v) => v.withIds).map((v) => digestOf(v.ids)))
        for (const x of items) {
          const expected = [
            ...new Set(
              votes
                .filter(
                  (v) =>
                    v.origin !== SELF &&
                    counted.includes(v.origin) &&
                    v.ids.includes(x) &&
                    known.has(digestOf(v.ids)),
                )
                .map((v) => v.origin),
            ),
          ].sort()
          expect(b.vouchers(x, isCounted)).toEqual(expected)
          for (let k = 1; k <= 5; k++) expect(b.admits(x, k, isCounted)).toBe(expected.length >= k)
          const ev = b.evidenceFor(x, 2, isCounted)
          expect(ev.map((e) => e.originHex)).toEqual(expected.slice(0, 2))
          for (const e of ev) {
            expect(e.ids).toContain(x)
            expect(b.addIds(digestOf(e.ids), e.ids)).toBe(true)
          }
        }
        for (const m of b.missingIds(isCounted)) {
          expect(known.has(m.digestHex)).toBe(false)
          expect(m.voters.length).toBeGreaterThan(0)
        }
      }),
      { numRuns: 150 },
    )
  })

  it('answers quickly for thousands of items', () => {
    const b = book()
    const items = Array.from({ length: 3000 }, (_, i) => id(i))
    const members = Array.from({ length: 20 }, (_, i) => (10 + i).toString(16).repeat(38))
    members.forEach((m, i) => {
      vote(b, m, items.slice(0, 2000 + i * 50))
    })
    const start = performance.now()
    let admitted = 0
    for (const x of items) if (b.admits(x, 4, all)) admitted++
    for (const x of items.slice(0, 300)) b.vouchers(x, all)
    expect(admitted).toBe(2000 + 50 * 16)
    expect(performance.now() - start).toBeLessThan(1000)
  })
})
