import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bitString } from '../bits.js'
import { READY_CREDIT_BITS } from '../config.js'
import { mcvMinEntropyPerBit } from '../health.js'
import { toHex } from '../signing.js'
import type { VerifiedContribution } from '../types.js'
import { A, addAll, B, bits256, contribution, replica, SELF, sha256Hex } from './unit.fixtures.js'

/** Pool bits, pool digest, credit and the private-draw chain of the replica. */

describe('pool bits and pool digest', () => {
  it('orders epochs newest first, ids ascending inside, truncated to poolBits', () => {
    const r = replica({}, { poolBits: 12 })
    const id = (b: number) => new Uint8Array(32).fill(b)
    r.add(contribution(A, 1, '11111111', id(1)))
    r.add(contribution(A, 2, '0000', id(9)))
    r.add(contribution(B, 2, '101', id(3)))
    const pool = r.poolBits()
    expect(pool.bitLength).toBe(12)
    expect(bitString(pool.bits, 12)).toBe('1010000' + '11111')
    expect(pool.bits).toHaveLength(2)
    expect((pool.bits[1] as number) & 0x0f).toBe(0) // padding stays zero
    const first = r.poolBits(5)
    expect(bitString(first.bits, first.bitLength)).toBe('10100')
    expect(first.bits).toEqual(Uint8Array.of(0b10100000))
    expect(r.poolBits(0)).toEqual({ bits: new Uint8Array(0), bitLength: 0 })
    expect(() => r.poolBits(-1)).toThrow(/limit/)
    expect(toHex(r.poolDigest())).toBe(sha256Hex(id(1), id(3), id(9)))
  })

  it('appends across unaligned boundaries', () => {
    const r = replica()
    const texts = ['1', '0110011', '111000111000111', '0', '10101010101010101']
    texts.forEach((t, i) => {
      r.add(contribution(A, 1, t, new Uint8Array(32).fill(i)))
    })
    const pool = r.poolBits()
    expect(bitString(pool.bits, pool.bitLength)).toBe(texts.join(''))
  })
})

describe('credit and readiness', () => {
  it('weights each contribution by its origin trust: 0.9 vs 0.6', () => {
    const r = replica({ [A]: { trust: 0.9, active: true }, [B]: { trust: 0.6, active: true } })
    const a = contribution(A, 1, bits256('a'))
    const b = contribution(B, 1, bits256('b'))
    addAll(r, [a, b])
    const h = (v: VerifiedContribution) =>
      mcvMinEntropyPerBit(v.contribution.bits, v.contribution.bitLength)
    const expected = 0.9 * 256 * h(a) + 0.6 * 256 * h(b)
    expect(expected).toBeGreaterThan(0)
    expect(r.creditBits).toBeCloseTo(expected, 9)
    expect(r.originStats(A)?.creditBits).toBeCloseTo(0.9 * 256 * h(a), 9)
    r.setTrust(B, { trust: 0.6, active: false })
    expect(r.creditBits).toBeCloseTo(0.9 * 256 * h(a), 9)
    r.setTrust(A, { trust: 0.3, active: true })
    expect(r.creditBits).toBeCloseTo(0.3 * 256 * h(a), 9)
  })

  it('credits nothing for constant bits, and is ready at 256 credited bits', () => {
    const r = replica()
    r.add(contribution(SELF, 1, '1'.repeat(40)))
    expect(r.creditBits).toBe(0)
    expect(r.ready).toBe(false)
    let n = 0
    while (!r.ready) r.add(contribution(SELF, 1, bits256(`s${n++}`)))
    expect(r.creditBits).toBeGreaterThanOrEqual(READY_CREDIT_BITS)
    expect(n).toBeGreaterThan(1)
  })

  it('private draw: refuses before ready unless allowed, counts draws', () => {
    const r = replica()
    expect(() => r.privateDraw(randomBytes(32), 16)).toThrow(
      expect.objectContaining({ code: 'ERR_NOT_READY' }),
    )
    expect(r.drawState().counter).toBe(0)
    const os = new Uint8Array(32).fill(7)
    const one = r.privateDraw(os, 16, { allowLowEntropy: true })
    const two = r.privateDraw(os, 16, { allowLowEntropy: true })
    expect(one).toHaveLength(16)
    expect(toHex(two)).not.toBe(toHex(one)) // same OS bytes, new counter
    expect(r.drawState().counter).toBe(2)
    expect(() => r.privateDraw(os, 0, { allowLowEntropy: true })).toThrow(/draw length/)
    expect(r.drawState().counter).toBe(2)
  })
})

describe('pool state', () => {
  it('chains every folded id once, in arrival order', () => {
    const r = replica({ [B]: { trust: 0, active: true } })
    const a = contribution(A, 1, '1')
    const b = contribution(B, 1, '0')
    const c = contribution(A, 2, '1')
    r.add(a)
    r.add(b) // stored, not folded: not absorbed
    r.add(c)
    const s1 = createHash('sha256').update(new Uint8Array(32)).update(a.id).digest()
    const s2 = createHash('sha256').update(s1).update(c.id).digest()
    expect(toHex(r.drawState().poolState)).toBe(s2.toString('hex'))
    r.setTrust(B, { trust: 1, active: true }) // folded now: absorbed now
    const s3 = createHash('sha256').update(s2).update(b.id).digest()
    expect(toHex(r.drawState().poolState)).toBe(s3.toString('hex'))
    r.setTrust(B, { trust: 0, active: true })
    r.setTrust(B, { trust: 1, active: true }) // never absorbed twice
    expect(toHex(r.drawState().poolState)).toBe(s3.toString('hex'))
  })

  it('a restart mixes the saved state into the rebuilt one and continues the counter', () => {
    const a = contribution(A, 1, bits256('a'))
    const b = contribution(B, 1, bits256('b'))
    const before = replica()
    addAll(before, [a, b])
    before.privateDraw(randomBytes(32), 16, { allowLowEntropy: true })
    const saved = before.drawState()
    expect(saved.counter).toBe(1)

    // the restarted node adds the stored window back, in store order, then restores
    const after = replica()
    addAll(after, [b, a])
    const rebuilt = after.drawState()
    after.restoreDrawState(saved)
    const mixed = createHash('sha256').update(saved.poolState).update(rebuilt.poolState).digest()
    expect(toHex(after.drawState().poolState)).toBe(mixed.toString('hex'))
    expect(after.drawState().counter).toBe(1)
    // what an observer of the stored window can rebuild is not the state it draws from
    expect(toHex(after.drawState().poolState)).not.toBe(toHex(rebuilt.poolState))
    expect(toHex(after.drawState().poolState)).not.toBe(toHex(saved.poolState))
  })

  it('refuses a malformed saved state and changes nothing', () => {
    const r = replica()
    const state = r.drawState()
    expect(() => r.restoreDrawState({ poolState: new Uint8Array(2), counter: 0 })).toThrow(
      /32 bytes/,
    )
    expect(() => r.restoreDrawState({ poolState: new Uint8Array(32), counter: -1 })).toThrow(
      /counter/,
    )
    expect(r.drawState()).toEqual(state)
  })
})

// Its rate is measured by scripts/bench-protocol ("Replica.add alone"), not asserted here:
// a timed unit test fails on a busy machine without any defect.
describe('many contributions', () => {
  it('folds 30,000 contributions from two origins over 50 epochs', () => {
    const items: VerifiedContribution[] = []
    for (let i = 0; i < 30_000; i++) {
      const id = createHash('sha256').update(`t${i}`).digest()
      items.push(contribution(i % 2 ? A : B, 100 + (i % 50), bits256(`t${i}`), id))
    }
    const r = replica()
    for (const v of items) expect(r.add(v)).toBe('added')
    expect(r.foldedTotal).toBe(items.length)
  })
})
