import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { resolveParams } from '../config.js'
import { DecodeError, InvalidInputError } from '../errors.js'
import { toHex } from '../signing.js'
import type { VerifiedContribution } from '../types.js'
import {
  contributionsArb,
  EPOCHS,
  expectSame,
  levelsArb,
  ORIGINS,
  params,
  replicaOf,
  SELF,
} from './arbitraries.fixtures.js'
import { Replica } from './index.js'

/**
 * Final epochs held as records (frozen-epochs.ts): a replica that takes its final epochs
 * back from their records (a restart) answers exactly as one that adds their
 * contributions again and refreezes them with the same folded sets.
 */

const finalsArb = fc.subarray([...Array(EPOCHS).keys()])

/** Everything per origin that a record carries. */
function originFigures(r: Replica) {
  return ORIGINS.map((o) => {
    const s = r.originStats(o)
    return s === undefined ? undefined : { ...s, creditBits: Math.round(s.creditBits * 1e6) }
  })
}

/** Each contribution as the replica answers for it by id. */
function byId(r: Replica, items: readonly VerifiedContribution[]) {
  return items.map((v) => ({
    has: r.has(v.idHex),
    folded: r.isFolded(v.idHex),
    bits: toHex(r.get(v.idHex)?.contribution.bits ?? new Uint8Array(0)),
    epoch: r.get(v.idHex)?.contribution.epoch,
  }))
}

/** A restart: final epochs from their records, the others' contributions added again. */
function restarted(before: Replica, items: readonly VerifiedContribution[], levels = new Map()) {
  const after = new Replica({ params, selfHex: SELF, trustOf: (o) => levels.get(o) })
  for (const { epoch } of before.summaries()) {
    const record = before.frozenRecord(epoch)
    if (record !== undefined) expect(after.loadFrozen(record)).toBeGreaterThan(0)
  }
  for (const v of items) if (!before.isFinal(v.contribution.epoch)) after.add(v)
  for (const { epoch, final } of before.summaries())
    if (final) after.finalize(epoch, before.foldedIdsOf(epoch))
  return after
}

describe('frozen epochs', () => {
  it('a replica reloaded from records answers as the one that froze them', () => {
    fc.assert(
      fc.property(contributionsArb, levelsArb, finalsArb, (items, levels, finals) => {
        const before = replicaOf(items, levels)
        for (const r of finals) before.finalize(r)
        const after = restarted(before, items, levels)
        // the same replica rebuilt the old way: every contribution, then the frozen sets
        const rebuilt = replicaOf(items, levels)
        for (const r of finals) rebuilt.finalize(r, before.foldedIdsOf(r))
        for (const other of [after, rebuilt]) {
          expectSame(before, other)
          expect(other.storedTotal).toBe(before.storedTotal)
          expect(originFigures(other)).toEqual(originFigures(before))
          expect(byId(other, items)).toEqual(byId(before, items))
          for (const r of finals)
            expect(other.foldedOf(r).map((v) => v.idHex)).toEqual(before.foldedIdsOf(r))
        }
      }),
    )
  })

  it('pruning a frozen epoch takes off what it held, as pruning a live one does', () => {
    fc.assert(
      fc.property(
        contributionsArb,
        levelsArb,
        finalsArb,
        fc.integer({ min: 0, max: EPOCHS }),
        (items, levels, finals, floor) => {
          const frozen = replicaOf(items, levels)
          for (const r of finals) frozen.finalize(r)
          const live = replicaOf(items, levels)
          const droppedFrozen = frozen.prune(floor)
          expect(droppedFrozen).toBe(live.prune(floor))
          for (const r of finals) live.finalize(r)
          expectSame(frozen, live)
          expect(originFigures(frozen)).toEqual(originFigures(live))
          expect(byId(frozen, items)).toEqual(byId(live, items))
        },
      ),
    )
  })

  it('a frozen epoch refuses adds: its own ids as duplicates, new ones as final', () => {
    fc.assert(
      fc.property(contributionsArb, (items) => {
        const r = replicaOf(items)
        for (let e = 0; e < EPOCHS; e++) r.finalize(e)
        for (const v of items) expect(r.add(v)).toBe('duplicate')
        for (const v of items) {
          const id = v.id.slice()
          id[31] = (id[31] as number) ^ 0xff
          if (r.has(toHex(id))) continue
          expect(r.add({ ...v, id, idHex: toHex(id) })).toBe('final')
        }
      }),
    )
  })

  it('loadFrozen refuses another network, another cap, an epoch held, bad bytes', () => {
    fc.assert(
      fc.property(
        contributionsArb.filter((items) => items.length > 0),
        (items) => {
          const r = replicaOf(items)
          const epoch = (items[0] as VerifiedContribution).contribution.epoch
          r.finalize(epoch)
          const record = r.frozenRecord(epoch) as Uint8Array
          const other = (overrides: object) =>
            new Replica({ params: resolveParams({ ...params, ...overrides }), selfHex: SELF })
          expect(() => other({ network: 'another' }).loadFrozen(record)).toThrow(InvalidInputError)
          expect(() => other({ maxPerEpoch: 7 }).loadFrozen(record)).toThrow(InvalidInputError)
          const held = replicaOf(items)
          expect(() => held.loadFrozen(record)).toThrow(InvalidInputError)
          expect(() => other({}).loadFrozen(record.subarray(1))).toThrow(DecodeError)
          const pruned = other({})
          pruned.prune(epoch + 1)
          expect(pruned.loadFrozen(record)).toBe(0)
          expect(pruned.storedTotal).toBe(0)
        },
      ),
    )
  })

  it('an epoch frozen empty has no record; one with contributions has one', () => {
    const r = replicaOf([])
    r.finalize(2)
    expect(r.isFinal(2)).toBe(true)
    expect(r.frozenRecord(2)).toBeUndefined()
    expect(r.summary(2).final).toBe(true)
  })
})

describe('frozen epochs: the id index', () => {
  it('finds ids whose first 30 bits are equal, in one epoch or in two', () => {
    const params2 = resolveParams({ network: 'prop', poolBits: 48, maxPerEpoch: 4 })
    const r = new Replica({ params: params2, selfHex: SELF })
    // ids equal in their first 4 bytes (so in their 30-bit key), two in epoch 0, one in 1
    const ids = [0x10, 0x20, 0x30].map((last) => {
      const id = new Uint8Array(32).fill(7)
      id[31] = last
      return id
    })
    const items = ids.map((id, i) => {
      const v = contributionsOf(id, i === 2 ? 1 : 0)
      return v
    })
    for (const v of items) r.add(v)
    r.finalize(0)
    r.finalize(1)
    for (const v of items) {
      expect(r.has(v.idHex)).toBe(true)
      expect(r.get(v.idHex)?.idHex).toBe(v.idHex)
    }
    const other = new Uint8Array(32).fill(7)
    expect(r.has(toHex(other))).toBe(false)
    r.prune(1)
    expect(items.map((v) => r.has(v.idHex))).toEqual([false, false, true])
  })
})

/** A contribution with a chosen id (the replica trusts its caller for the id). */
function contributionsOf(id: Uint8Array, epoch: number): VerifiedContribution {
  return {
    id,
    idHex: toHex(id),
    originHex: SELF,
    contribution: {
      network: 'prop',
      origin: Buffer.from(SELF, 'hex'),
      seq: 1,
      epoch,
      timestampMs: epoch * params.epochMs,
      bitLength: 8,
      bits: new Uint8Array([0xa5]),
      signature: new Uint8Array(64),
    },
  }
}
