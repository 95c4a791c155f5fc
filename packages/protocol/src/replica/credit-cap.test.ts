import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { epochDigest } from '../epoch.js'
import { mcvMinEntropyPerBit } from '../health.js'
import { toHex } from '../signing.js'
import type { VerifiedContribution } from '../types.js'
import { A, B, bits256, contribution, params, replica } from './unit.fixtures.js'

/**
 * The credit cap (DESIGN.md, "Per-origin caps decide by the set, not by arrival"): every
 * admitted contribution is folded, an origin earns credit for its maxPerEpoch smallest
 * ids of each epoch only.
 */

const id = (b: number) => new Uint8Array(32).fill(b)
const h = (v: VerifiedContribution) =>
  v.contribution.bitLength * mcvMinEntropyPerBit(v.contribution.bits, v.contribution.bitLength)
const trust = params.defaultTrust
const cap2 = () => replica({}, { maxPerEpoch: 2 })

describe('credit cap', () => {
  const [c9, c5, c1] = [9, 5, 1].map((b) => contribution(A, 3, bits256(`a${b}`), id(b))) as [
    VerifiedContribution,
    VerifiedContribution,
    VerifiedContribution,
  ]

  it("folds all of an origin's contributions, credits its maxPerEpoch smallest ids", () => {
    const r = cap2()
    // another origin's smaller id takes nothing from A's cap
    const b = contribution(B, 3, bits256('b'), id(0))
    for (const v of [c9, b, c5, c1]) r.add(v)
    expect(r.foldedIdsOf(3)).toEqual([b, c1, c5, c9].map((v) => v.idHex))
    const all = [b, c1, c5, c9].map((v) => v.id)
    expect(toHex(r.digest(3))).toBe(toHex(epochDigest(params.network, 3, all)))
    expect(r.originStats(A)).toMatchObject({ folded: 3, credited: 2 })
    expect(r.originStats(B)).toMatchObject({ folded: 1, credited: 1 })
    expect(r.creditBits).toBeCloseTo(trust * (h(c1) + h(c5) + h(b)), 9)
  })

  it('credits the same whatever the arrival order', () => {
    const items = Array.from({ length: 7 }, (_, i) =>
      contribution(A, 3 + (i % 2), bits256(`o${i}`), id(40 + ((i * 37) % 23))),
    )
    const expected = (() => {
      const r = cap2()
      for (const v of items) r.add(v)
      return r.creditBits
    })()
    fc.assert(
      fc.property(fc.shuffledSubarray(items, { minLength: 7, maxLength: 7 }), (order) => {
        const r = cap2()
        for (const v of order) r.add(v)
        expect(r.creditBits).toBeCloseTo(expected, 9)
        expect(r.originStats(A)).toMatchObject({ folded: 7, credited: 4 }) // 2 per epoch
      }),
    )
  })

  it('caps each epoch on its own', () => {
    const r = cap2()
    const other = [7, 8, 6].map((b) => contribution(A, 4, bits256(`b${b}`), id(b)))
    for (const v of [c9, c5, c1, ...other]) r.add(v)
    expect(r.originStats(A)).toMatchObject({ folded: 6, credited: 4 })
    const [b7, , b6] = other as [VerifiedContribution, VerifiedContribution, VerifiedContribution]
    expect(r.creditBits).toBeCloseTo(trust * (h(c1) + h(c5) + h(b6) + h(b7)), 9)
    // pruning epoch 3 takes its credit along
    r.prune(4)
    expect(r.originStats(A)).toMatchObject({ folded: 3, credited: 2 })
    expect(r.creditBits).toBeCloseTo(trust * (h(b6) + h(b7)), 9)
  })

  it('an unfolded credited id hands its credit to the next in line', () => {
    const r = cap2()
    for (const v of [c9, c5, c1]) r.add(v)
    // a set frozen before a restart without c1: c1 is unfolded, c9 moves up
    r.finalize(3, [c5.idHex, c9.idHex])
    expect(r.originStats(A)).toMatchObject({ folded: 2, credited: 2 })
    expect(r.creditBits).toBeCloseTo(trust * (h(c5) + h(c9)), 9)
  })

  it('trust 0 takes all the credit, trust back restores the same', () => {
    const r = cap2()
    for (const v of [c9, c5, c1]) r.add(v)
    const before = r.creditBits
    r.setTrust(A, { trust: 0, active: true })
    expect(r.creditBits).toBe(0)
    expect(r.originStats(A)).toMatchObject({ folded: 0, credited: 0 })
    r.setTrust(A, { trust: 0.5, active: true })
    expect(r.creditBits).toBeCloseTo((before / trust) * 0.5, 9)
    expect(r.originStats(A)?.credited).toBe(2)
  })
})
