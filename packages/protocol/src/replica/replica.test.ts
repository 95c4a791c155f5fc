import { describe, expect, it } from 'vitest'
import { bitString } from '../bits.js'
import { resolveParams } from '../config.js'
import { epochBeacon, epochDigest } from '../epoch.js'
import { toHex, verifyContribution } from '../signing.js'
import type { VerifiedContribution } from '../types.js'
import { Replica } from './index.js'
import {
  A,
  addAll,
  B,
  bits256,
  contribution,
  fromHex,
  NETWORK,
  params,
  replica,
  SELF,
  sha256Hex,
  vectors,
} from './unit.fixtures.js'

describe('replica reproduces vectors v1', () => {
  const verified = vectors.contributions.map((c) =>
    verifyContribution({
      network: vectors.network,
      origin: fromHex(vectors.key.origin),
      seq: c.seq,
      epoch: c.epoch,
      timestampMs: c.timestamp,
      bitLength: c.bitLength,
      bits: fromHex(c.bits),
      signature: fromHex(c.signature),
    }),
  )
  const vparams = resolveParams({ network: vectors.network, epochMs: vectors.epochMs })

  for (const [name, order] of [
    ['in signing order', [0, 1, 2]],
    ['in reverse order', [2, 1, 0]],
    ['shuffled', [1, 2, 0]],
  ] as const) {
    it(`digest, beacon and pool bits, ${name}`, () => {
      const r = new Replica({ params: vparams, selfHex: SELF })
      for (const i of order) expect(r.add(verified[i] as VerifiedContribution)).toBe('added')
      const epoch = vectors.epoch.epoch
      expect(verified.map((v) => v.idHex)).toEqual(vectors.contributions.map((c) => c.id))
      expect(r.foldedIdsOf(epoch)).toEqual(vectors.epoch.ids)
      expect(toHex(r.digest(epoch))).toBe(vectors.epoch.digest)
      expect(toHex(r.beacon(epoch) as Uint8Array)).toBe(vectors.epoch.beacon)
      expect(r.foldedCount(epoch)).toBe(3)
      const pool = r.poolBits()
      expect(pool.bitLength).toBe(vectors.poolBits.length)
      expect(bitString(pool.bits, pool.bitLength)).toBe(vectors.poolBits)
      expect(toHex(r.poolDigest())).toBe(sha256Hex(...vectors.epoch.ids.map(fromHex)))
    })
  }
})

describe('store', () => {
  it('adds once, reports duplicates, counts per origin and epoch', () => {
    const r = replica()
    const a1 = contribution(A, 10, '1011')
    const a2 = contribution(A, 10, '0110')
    const b1 = contribution(B, 11, '1')
    expect(r.add(a1, 5_000)).toBe('added')
    expect(r.add(a1, 9_000)).toBe('duplicate')
    expect(r.add(a2, 7_000)).toBe('added')
    expect(r.add(b1)).toBe('added')
    expect(r.has(a1.idHex)).toBe(true)
    expect(r.get(a2.idHex)).toBe(a2)
    expect(r.get('00'.repeat(32))).toBeUndefined()
    expect(r.storedCountOf(A, 10)).toBe(2)
    expect(r.storedCountOf(A, 11)).toBe(0)
    expect(r.storedCountOf(B, 11)).toBe(1)
    expect(r.storedIdsOf(10)).toEqual([a1.idHex, a2.idHex].sort())
    expect(r.storedTotal).toBe(3)
    expect(r.foldedTotal).toBe(3)
    expect(r.foldedCount(10)).toBe(2)
    expect(r.summaries().map((s) => s.epoch)).toEqual([10, 11])
    expect(r.missingFrom([b1.idHex, 'ff'.repeat(32), a1.idHex, 'ff'.repeat(32)])).toEqual([
      'ff'.repeat(32),
    ])
    const stats = r.originStats(A)
    expect(stats).toMatchObject({
      originHex: A,
      trust: params.defaultTrust,
      active: true,
      contributions: 2,
      bits: 8,
      lastSeenMs: 7_000,
      retained: 2,
      folded: 2,
    })
    // no receipt time given: the contribution's own timestamp
    expect(r.originStats(B)?.lastSeenMs).toBe(b1.contribution.timestampMs)
    expect(r.allOriginStats().map((s) => s.originHex)).toEqual([A, B])
  })

  it('refuses contributions of another network and malformed ids', () => {
    const r = replica()
    const foreign = contribution(A, 1, '1')
    foreign.contribution.network = 'other'
    expect(() => r.add(foreign)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
    const short = { ...contribution(A, 1, '1'), id: new Uint8Array(31) }
    expect(() => r.add(short)).toThrow(/32 bytes/)
    expect(() => r.add(contribution(A, 1, '1'), Number.NaN)).toThrow(/receivedMs/)
    expect(r.storedTotal).toBe(0)
  })
})

describe('fold policy and trust', () => {
  it('trust 0 stores without folding; back above 0 folds again', () => {
    const r = replica({ [A]: { trust: 0, active: true } })
    const a = contribution(A, 5, '1100')
    const b = contribution(B, 5, '0011')
    r.add(a)
    r.add(b)
    expect(r.storedTotal).toBe(2)
    expect(r.storedIdsOf(5)).toEqual([a.idHex, b.idHex].sort())
    expect(r.foldedIdsOf(5)).toEqual([b.idHex])
    expect(toHex(r.digest(5))).toBe(toHex(epochDigest(NETWORK, 5, [b.id])))
    expect(r.summary(5)).toMatchObject({ count: 1, stored: 2, final: false })
    expect(toHex(r.summary(5).storedDigest)).toBe(toHex(epochDigest(NETWORK, 5, [a.id, b.id])))

    r.setTrust(A, { trust: 0.5, active: true })
    expect(r.foldedIdsOf(5)).toEqual([a.idHex, b.idHex].sort())
    expect(toHex(r.digest(5))).toBe(toHex(r.summary(5).storedDigest))
    expect(r.originStats(A)).toMatchObject({ trust: 0.5, active: true, folded: 1 })
  })

  it('an inactive origin is stored but not folded', () => {
    const r = replica({ [A]: { trust: 0.9, active: false } })
    r.add(contribution(A, 1, '1'))
    expect(r.foldedTotal).toBe(0)
    expect(r.beacon(1)).toBeUndefined()
    r.setTrust(A, { trust: 0.9, active: true })
    expect(r.foldedTotal).toBe(1)
    expect(r.beacon(1)).toBeInstanceOf(Uint8Array)
  })

  it('folds its own contributions with trust 1 whatever the lookup says', () => {
    const r = replica({ [SELF]: { trust: 0, active: false } })
    r.add(contribution(SELF, 1, '10'))
    expect(r.foldedTotal).toBe(1)
    expect(r.originStats(SELF)).toMatchObject({ trust: 1, active: true })
    expect(() => r.setTrust(SELF, { trust: 0, active: true })).toThrow(/trust 1/)
    expect(() => r.setTrust(A, { trust: 2, active: true })).toThrow(/from 0 to 1/)
  })

  it('a trust change re-folds non-final epochs only; final ones stay frozen', () => {
    const r = replica()
    const old = contribution(A, 1, '1010')
    const fresh = contribution(A, 2, '0101')
    const other = contribution(B, 1, '1')
    for (const v of [old, fresh, other]) r.add(v)
    r.finalize(1)
    const digest1 = toHex(r.digest(1))
    const beacon1 = toHex(r.beacon(1) as Uint8Array)
    r.setTrust(A, { trust: 0, active: true })
    expect(toHex(r.digest(1))).toBe(digest1)
    expect(toHex(r.beacon(1) as Uint8Array)).toBe(beacon1)
    expect(r.foldedIdsOf(1)).toEqual([old.idHex, other.idHex].sort())
    expect(r.foldedIdsOf(2)).toEqual([])
    expect(r.beacon(2)).toBeUndefined()
    // a frozen contribution of an origin now at trust 0 earns no credit
    expect(r.originStats(A)?.creditBits).toBe(0)
  })
})

describe('finality and pruning', () => {
  it('refuses contributions to a final epoch, empty ones included', () => {
    const r = replica()
    r.add(contribution(A, 7, '1'))
    r.finalize(7)
    r.finalize(8)
    r.finalize(8) // idempotent
    expect(r.add(contribution(A, 7, '0'))).toBe('final')
    expect(r.add(contribution(A, 8, '0'))).toBe('final')
    expect(r.add(contribution(A, 9, '0'))).toBe('added')
    expect(r.isFinal(7)).toBe(true)
    expect(r.isFinal(9)).toBe(false)
    expect(r.storedTotal).toBe(2)
    expect(r.summaries().map((s) => [s.epoch, s.count, s.final])).toEqual([
      [7, 1, true],
      [8, 0, true],
      [9, 1, false],
    ])
  })

  it('finalize(r, ids) restores a folded set frozen before a restart', () => {
    const a = contribution(A, 3, '1')
    const b = contribution(B, 3, '0')
    const before = replica()
    addAll(before, [a, b])
    before.finalize(3)
    const frozen = before.foldedIdsOf(3)
    // after the restart A is distrusted, but epoch 3 was frozen with A in it
    const after = replica({ [A]: { trust: 0, active: true } })
    addAll(after, [b, a])
    expect(after.foldedIdsOf(3)).toEqual([b.idHex])
    after.finalize(3, frozen)
    expect(toHex(after.digest(3))).toBe(toHex(before.digest(3)))
    expect(toHex(after.beacon(3) as Uint8Array)).toBe(toHex(before.beacon(3) as Uint8Array))
    after.setTrust(A, { trust: 0, active: true })
    expect(after.foldedIdsOf(3)).toEqual(frozen)
    expect(() => after.finalize(3, [b.idHex])).toThrow(/another folded set/)
    expect(() => after.finalize(4, [a.idHex])).toThrow(/not stored in it/)
    expect(after.summaries().map((s) => s.epoch)).toEqual([3])
  })

  it('prune drops old epochs, which then count as final', () => {
    const r = replica()
    const a = contribution(A, 1, bits256('old'))
    const kept = contribution(A, 2, '11')
    addAll(r, [a, contribution(B, 1, '0'), kept, contribution(A, 3, '0')])
    expect(r.creditBits).toBeGreaterThan(0)
    expect(r.prune(2)).toBe(2)
    expect(r.creditBits).toBe(0) // what is left has h = 0
    expect(r.prune(2)).toBe(0)
    expect(r.oldestRetainedEpoch).toBe(2)
    expect(r.has(a.idHex)).toBe(false)
    expect(r.storedTotal).toBe(2)
    expect(r.foldedTotal).toBe(2)
    expect(r.summaries().map((s) => s.epoch)).toEqual([2, 3])
    expect(r.add(a)).toBe('final')
    expect(r.isFinal(1)).toBe(true)
    expect(r.originStats(B)).toBeUndefined() // nothing left in the window
    expect(r.originStats(A)).toMatchObject({ contributions: 3, retained: 2 })
    const pool = r.poolBits()
    expect(bitString(pool.bits, pool.bitLength)).toBe('011')
    expect(toHex(r.poolDigest())).toBe(
      sha256Hex(...[kept.id, ...r.storedIdsOf(3).map(fromHex)].sort(Buffer.compare)),
    )
  })
})

describe('summaries and epochs without contributions', () => {
  it('gives the empty-set digest and no beacon for an epoch it never saw', () => {
    const r = replica()
    expect(toHex(r.digest(42))).toBe(toHex(epochDigest(NETWORK, 42, [])))
    expect(r.beacon(42)).toBeUndefined()
    expect(r.summary(42)).toMatchObject({ epoch: 42, count: 0, stored: 0, final: false })
    expect(r.summaries()).toEqual([])
  })

  it('beacon(r) is the epoch beacon (docs/PROTOCOL.md) of the folded set', () => {
    const r = replica()
    const a = contribution(A, 4, '1')
    const b = contribution(B, 4, '0111')
    addAll(r, [a, b])
    const sorted = [a, b].sort((x, y) => (x.idHex < y.idHex ? -1 : 1))
    const digest = epochDigest(NETWORK, 4, [a.id, b.id])
    const beacon = epochBeacon(
      NETWORK,
      4,
      digest,
      sorted.map((v) => v.contribution.bits),
    )
    expect(toHex(r.beacon(4) as Uint8Array)).toBe(toHex(beacon))
    // returned bytes are copies: the caches cannot be corrupted from outside
    r.digest(4).fill(0)
    expect(toHex(r.digest(4))).toBe(toHex(digest))
  })
})
