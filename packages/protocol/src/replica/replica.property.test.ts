import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bitString, packBitString } from '../bits.js'
import { resolveParams } from '../config.js'
import { type TrustLevel, trustWeight } from '../consensus.js'
import { mcvMinEntropyPerBit } from '../health.js'
import { toHex } from '../signing.js'
import type { VerifiedContribution } from '../types.js'
import { Replica } from './index.js'

/**
 * Properties of the replica: derived values depend on the folded set only (not on arrival
 * order), merge is a set union, repair converges, and a model checked after every step of
 * random add / trust / finalize / prune sequences.
 */

const NETWORK = 'prop'
const SELF = 'ee'.repeat(38)
const PEERS = ['a1'.repeat(38), 'b2'.repeat(38), 'c3'.repeat(38)]
const ORIGINS = [SELF, ...PEERS]
const EPOCHS = 4
// small enough that truncation happens in most runs
const params = resolveParams({ network: NETWORK, poolBits: 48 })

interface Spec {
  origin: string
  epoch: number
  bitText: string
  id: Uint8Array
}

function build(s: Spec): VerifiedContribution {
  const { bits, bitLength } = packBitString(s.bitText)
  return {
    id: s.id,
    idHex: toHex(s.id),
    originHex: s.origin,
    contribution: {
      network: NETWORK,
      origin: Buffer.from(s.origin, 'hex'),
      seq: 1,
      epoch: s.epoch,
      timestampMs: s.epoch * params.epochMs,
      bitLength,
      bits,
      signature: new Uint8Array(64),
    },
  }
}

const specArb: fc.Arbitrary<Spec> = fc.record({
  origin: fc.constantFrom(...ORIGINS),
  epoch: fc.integer({ min: 0, max: EPOCHS - 1 }),
  bitText: fc.string({ unit: fc.constantFrom('0', '1'), minLength: 1, maxLength: 64 }),
  id: fc.uint8Array({ minLength: 32, maxLength: 32 }),
})

const contributionsArb = fc
  .uniqueArray(specArb, { selector: (s) => toHex(s.id), maxLength: 24 })
  .map((specs) => specs.map(build))

const levelArb: fc.Arbitrary<TrustLevel> = fc.record({
  trust: fc.constantFrom(0, 0.3, 0.6, 0.9, 1),
  active: fc.boolean(),
})

const levelsArb = fc
  .tuple(...PEERS.map(() => levelArb))
  .map((levels) => new Map(PEERS.map((p, i) => [p, levels[i] as TrustLevel])))

function replicaOf(items: Iterable<VerifiedContribution>, levels = new Map<string, TrustLevel>()) {
  const r = new Replica({ params, selfHex: SELF, trustOf: (o) => levels.get(o) })
  for (const v of items) r.add(v)
  return r
}

/**
 * Union the way two nodes merge over sync: every stored id of the peer's epochs that
 * `me` lacks is fetched and added. Returns how many were added.
 */
function pullFrom(me: Replica, peer: Replica): number {
  let added = 0
  for (const { epoch } of peer.summaries())
    for (const id of me.missingFrom(peer.storedIdsOf(epoch)))
      if (me.add(peer.get(id) as VerifiedContribution) === 'added') added++
  return added
}

/** Everything a replica derives, in comparable form (credit apart: a float sum). */
function fingerprint(r: Replica) {
  const pool = r.poolBits()
  return {
    stored: r
      .summaries()
      .flatMap((s) => r.storedIdsOf(s.epoch))
      .sort(),
    epochs: r.summaries().map((s) => ({
      epoch: s.epoch,
      digest: toHex(s.digest),
      storedDigest: toHex(s.storedDigest),
      count: s.count,
      stored: s.stored,
      final: s.final,
      beacon: toHex(r.beacon(s.epoch) ?? new Uint8Array(0)),
      folded: r.foldedIdsOf(s.epoch),
    })),
    pool: bitString(pool.bits, pool.bitLength),
    poolDigest: toHex(r.poolDigest()),
    folded: r.foldedTotal,
  }
}

function expectSame(a: Replica, b: Replica): void {
  expect(fingerprint(a)).toEqual(fingerprint(b))
  expect(a.creditBits).toBeCloseTo(b.creditBits, 9)
}

/** A permutation of `items` chosen by fast-check. */
const shuffled = <T>(items: readonly T[]) =>
  fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length })

describe('replica properties', () => {
  it('digest, beacon, pool bits and pool digest do not depend on arrival order', () => {
    fc.assert(
      fc.property(
        contributionsArb.chain((items) => fc.tuple(fc.constant(items), shuffled(items))),
        levelsArb,
        ([items, permuted], levels) => {
          expectSame(replicaOf(items, levels), replicaOf(permuted, levels))
        },
      ),
    )
  })

  it('merging by sync (pull what is missing) is commutative, associative and idempotent', () => {
    const threeSets = contributionsArb.chain((all) =>
      fc.tuple(fc.subarray(all), fc.subarray(all), fc.subarray(all)),
    )
    fc.assert(
      fc.property(threeSets, levelsArb, ([x, y, z], levels) => {
        const rep = (items: VerifiedContribution[]) => replicaOf(items, levels)
        // commutative
        const xy = rep(x)
        pullFrom(xy, rep(y))
        const yx = rep(y)
        pullFrom(yx, rep(x))
        expectSame(xy, yx)
        // associative
        const left = rep(x)
        pullFrom(left, rep(y))
        pullFrom(left, rep(z))
        const yz = rep(y)
        pullFrom(yz, rep(z))
        const right = rep(x)
        pullFrom(right, yz)
        expectSame(left, right)
        // idempotent
        const before = fingerprint(xy)
        expect(pullFrom(xy, yx)).toBe(0)
        expect(pullFrom(xy, xy)).toBe(0)
        expect(fingerprint(xy)).toEqual(before)
        // and the union is exactly the union of the stored sets
        expect(fingerprint(xy).stored).toEqual(
          [...new Set([...x, ...y].map((v) => v.idHex))].sort(),
        )
      }),
    )
  })

  it('repair converges: any delivery and loss pattern, then pulling what summaries say differs', () => {
    fc.assert(
      fc.property(
        contributionsArb,
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.nat(), { minLength: 24, maxLength: 24 }),
        fc.nat(),
        levelsArb,
        (items, nodes, deliveries, orderSeed, levels) => {
          // each contribution reaches a random subset of nodes (possibly none: lost)
          const replicas = Array.from({ length: nodes }, () => replicaOf([], levels))
          items.forEach((v, i) => {
            const mask = (deliveries[i] ?? 0) % (1 << nodes)
            replicas.forEach((r, n) => {
              if (mask & (1 << n)) r.add(v)
            })
          })
          const delivered = items.filter((_, i) => (deliveries[i] ?? 0) % (1 << nodes) !== 0)

          // every node syncs with every other, in a scrambled order
          const pairs: [number, number][] = []
          for (let i = 0; i < nodes; i++)
            for (let j = 0; j < nodes; j++) if (i !== j) pairs.push([i, j])
          pairs.sort(
            (p, q) =>
              ((p[0] * 7 + p[1] * 13 + orderSeed) % 11) - ((q[0] * 7 + q[1] * 13 + orderSeed) % 11),
          )
          for (const [i, j] of pairs) {
            const me = replicas[i] as Replica
            const peer = replicas[j] as Replica
            for (const theirs of peer.summaries()) {
              const mine = me.summary(theirs.epoch)
              if (toHex(mine.storedDigest) === toHex(theirs.storedDigest)) continue
              for (const id of me.missingFrom(peer.storedIdsOf(theirs.epoch)))
                me.add(peer.get(id) as VerifiedContribution)
            }
          }

          const reference = replicaOf(delivered, levels)
          for (const r of replicas) expectSame(r, reference)
        },
      ),
    )
  })

  it('trust 0 stores but does not fold; back above 0 restores every non-final value', () => {
    fc.assert(
      fc.property(contributionsArb, levelsArb, fc.constantFrom(...PEERS), (items, levels, peer) => {
        const r = replicaOf(items, levels)
        const before = fingerprint(r)
        const original = levels.get(peer) as TrustLevel
        r.setTrust(peer, { trust: 0, active: true })
        for (const v of items) {
          if (v.originHex === peer) {
            expect(r.has(v.idHex)).toBe(true)
            expect(r.foldedIdsOf(v.contribution.epoch)).not.toContain(v.idHex)
          }
        }
        expect(r.originStats(peer)?.creditBits ?? 0).toBe(0)
        r.setTrust(peer, original)
        expect(fingerprint(r)).toEqual(before)
      }),
    )
  })
})

// ---- model-based check -----------------------------------------------------------------

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

  credit(): number {
    let credit = 0
    for (const v of this.folded()) {
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
