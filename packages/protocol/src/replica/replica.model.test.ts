import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bitString } from '../bits.js'
import { type TrustLevel, trustWeight } from '../consensus.js'
import { mcvMinEntropyPerBit } from '../health.js'
import { toHex } from '../signing.js'
import type { VerifiedContribution } from '../types.js'
import {
  contributionsArb,
  EPOCHS,
  levelArb,
  levelsArb,
  ORIGINS,
  PEERS,
  params,
  replicaOf,
  SELF,
} from './arbitraries.fixtures.js'
import { Replica } from './index.js'

/**
 * The replica against a model of its rules, checked after every step of random add /
 * trust / finalize / prune sequences.
 */

type Op =
  | { kind: 'add'; index: number }
  | { kind: 'trust'; peer: string; level: TrustLevel }
  | { kind: 'finalize'; epoch: number }
  | { kind: 'prune'; epoch: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), index: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('trust' as const),
      peer: fc.constantFrom(...PEERS),
      level: levelArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('finalize' as const),
      epoch: fc.integer({ min: 0, max: EPOCHS }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('prune' as const),
      epoch: fc.integer({ min: 0, max: EPOCHS }),
    }),
  },
)

/** The rules of docs/PROTOCOL.md ("Fold and derived values") written the slow, obvious way. */
class Model {
  readonly stored = new Map<string, VerifiedContribution>()
  readonly levels = new Map<string, TrustLevel>()
  readonly frozen = new Map<number, Set<string>>()
  floor = 0
  state: Uint8Array = new Uint8Array(32)
  readonly absorbed = new Set<string>()

  level(origin: string): TrustLevel {
    if (origin === SELF) return { trust: 1, active: true }
    return this.levels.get(origin) ?? { trust: params.defaultTrust, active: true }
  }

  isFolded(v: VerifiedContribution): boolean {
    const frozen = this.frozen.get(v.contribution.epoch)
    return frozen ? frozen.has(v.idHex) : trustWeight(this.level(v.originHex)) > 0
  }

  add(v: VerifiedContribution): string {
    if (this.stored.has(v.idHex)) return 'duplicate'
    const e = v.contribution.epoch
    if (e < this.floor || this.frozen.has(e)) return 'final'
    this.stored.set(v.idHex, v)
    return 'added'
  }

  finalize(epoch: number): void {
    if (epoch < this.floor || this.frozen.has(epoch)) return
    const folded = [...this.stored.values()].filter(
      (v) => v.contribution.epoch === epoch && this.isFolded(v),
    )
    this.frozen.set(epoch, new Set(folded.map((v) => v.idHex)))
  }

  prune(epoch: number): void {
    if (epoch <= this.floor) return
    for (const [id, v] of this.stored) if (v.contribution.epoch < epoch) this.stored.delete(id)
    for (const e of this.frozen.keys()) if (e < epoch) this.frozen.delete(e)
    this.floor = epoch
  }

  /** Absorbs, in store order, ids folded for the first time. */
  absorbNew(): void {
    for (const v of this.stored.values()) {
      if (this.absorbed.has(v.idHex) || !this.isFolded(v)) continue
      this.absorbed.add(v.idHex)
      this.state = createHash('sha256').update(this.state).update(v.id).digest()
    }
  }

  folded(): VerifiedContribution[] {
    return [...this.stored.values()].filter((v) => this.isFolded(v))
  }

  foldedIdsOf(epoch: number): string[] {
    return this.folded()
      .filter((v) => v.contribution.epoch === epoch)
      .map((v) => v.idHex)
      .sort()
  }

  poolBits(): string {
    const epochs = [...new Set(this.folded().map((v) => v.contribution.epoch))].sort(
      (a, b) => b - a,
    )
    let text = ''
    for (const e of epochs)
      for (const id of this.foldedIdsOf(e)) {
        const c = (this.stored.get(id) as VerifiedContribution).contribution
        text += bitString(c.bits, c.bitLength)
      }
    return text.slice(0, params.poolBits)
  }

  poolDigest(): string {
    const ids = this.folded()
      .map((v) => v.idHex)
      .sort()
    return createHash('sha256')
      .update(Buffer.from(ids.join(''), 'hex'))
      .digest('hex')
  }

  /** Each origin's maxPerEpoch smallest folded ids of each epoch earn credit. */
  credited(): VerifiedContribution[] {
    const byOriginEpoch = new Map<string, VerifiedContribution[]>()
    for (const v of this.folded()) {
      const key = `${v.originHex}/${v.contribution.epoch}`
      byOriginEpoch.set(key, [...(byOriginEpoch.get(key) ?? []), v])
    }
    return [...byOriginEpoch.values()].flatMap((group) =>
      group.sort((a, b) => (a.idHex < b.idHex ? -1 : 1)).slice(0, params.maxPerEpoch),
    )
  }

  credit(): number {
    let credit = 0
    for (const v of this.credited()) {
      const c = v.contribution
      credit +=
        trustWeight(this.level(v.originHex)) *
        c.bitLength *
        mcvMinEntropyPerBit(c.bits, c.bitLength)
    }
    return credit
  }
}

describe('replica against a model', () => {
  it('matches the model after every add, trust change, finalize and prune', () => {
    fc.assert(
      fc.property(contributionsArb, fc.array(opArb, { maxLength: 40 }), (items, ops) => {
        fc.pre(items.length > 0)
        const model = new Model()
        const r = new Replica({ params, selfHex: SELF, trustOf: (o) => model.levels.get(o) })
        for (const op of ops) {
          switch (op.kind) {
            case 'add': {
              const v = items[op.index % items.length] as VerifiedContribution
              expect(r.add(v)).toBe(model.add(v))
              break
            }
            case 'trust':
              model.levels.set(op.peer, op.level)
              r.setTrust(op.peer, op.level)
              break
            case 'finalize':
              model.finalize(op.epoch)
              r.finalize(op.epoch)
              break
            case 'prune':
              model.prune(op.epoch)
              r.prune(op.epoch)
              break
          }
          model.absorbNew()

          expect(r.storedTotal).toBe(model.stored.size)
          expect(r.foldedTotal).toBe(model.folded().length)
          for (let e = 0; e < EPOCHS; e++) {
            expect(r.foldedIdsOf(e)).toEqual(model.foldedIdsOf(e))
            expect(r.isFinal(e)).toBe(e < model.floor || model.frozen.has(e))
          }
          const pool = r.poolBits()
          expect(bitString(pool.bits, pool.bitLength)).toBe(model.poolBits())
          expect(toHex(r.poolDigest())).toBe(model.poolDigest())
          expect(r.creditBits).toBeCloseTo(model.credit(), 9)
          const credited = model.credited()
          for (const o of ORIGINS)
            expect(r.originStats(o)?.credited ?? 0).toBe(
              credited.filter((v) => v.originHex === o).length,
            )
          expect(toHex(r.drawState().poolState)).toBe(toHex(model.state))
        }
      }),
      { numRuns: 300 },
    )
  })

  it('a trust change leaves final epochs frozen and re-folds the others like a fresh replica', () => {
    fc.assert(
      fc.property(
        contributionsArb,
        levelsArb,
        levelsArb,
        fc.subarray([0, 1, 2, 3]),
        (items, before, after, finals) => {
          const r = replicaOf(items, before)
          for (const e of finals) r.finalize(e)
          const frozen = finals.map((e) => [
            toHex(r.digest(e)),
            toHex(r.beacon(e) ?? new Uint8Array(0)),
          ])
          for (const [peer, level] of after) r.setTrust(peer, level)

          expect(
            finals.map((e) => [toHex(r.digest(e)), toHex(r.beacon(e) ?? new Uint8Array(0))]),
          ).toEqual(frozen)
          const fresh = replicaOf(items, after)
          for (let e = 0; e < EPOCHS; e++) {
            if (finals.includes(e)) continue
            expect(toHex(r.digest(e))).toBe(toHex(fresh.digest(e)))
            expect(r.foldedIdsOf(e)).toEqual(fresh.foldedIdsOf(e))
          }
        },
      ),
    )
  })
})
