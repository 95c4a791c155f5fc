import fc from 'fast-check'
import { expect } from 'vitest'
import { bitString, packBitString } from '../bits.js'
import { resolveParams } from '../config.js'
import type { TrustLevel } from '../consensus.js'
import { toHex } from '../signing.js'
import type { VerifiedContribution } from '../types.js'
import { Replica } from './index.js'

/** Generators and comparisons shared by the replica's property and model tests. */

export const NETWORK = 'prop'
export const SELF = 'ee'.repeat(38)
export const PEERS = ['a1'.repeat(38), 'b2'.repeat(38), 'c3'.repeat(38)]
export const ORIGINS = [SELF, ...PEERS]
export const EPOCHS = 4
// small enough that truncation happens in most runs, and that origins often pass the
// credit cap (1 credited per origin and epoch: up to 24 contributions of 4 origins × 4
// epochs put two in one origin's epoch in most runs; credit-cap.test.ts tries larger caps)
export const params = resolveParams({ network: NETWORK, poolBits: 48, maxPerEpoch: 1 })

export interface Spec {
  origin: string
  epoch: number
  bitText: string
  id: Uint8Array
}

export function build(s: Spec): VerifiedContribution {
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

export const specArb: fc.Arbitrary<Spec> = fc.record({
  origin: fc.constantFrom(...ORIGINS),
  epoch: fc.integer({ min: 0, max: EPOCHS - 1 }),
  bitText: fc.string({ unit: fc.constantFrom('0', '1'), minLength: 1, maxLength: 64 }),
  id: fc.uint8Array({ minLength: 32, maxLength: 32 }),
})

export const contributionsArb = fc
  .uniqueArray(specArb, { selector: (s) => toHex(s.id), maxLength: 24 })
  .map((specs) => specs.map(build))

export const levelArb: fc.Arbitrary<TrustLevel> = fc.record({
  trust: fc.constantFrom(0, 0.3, 0.6, 0.9, 1),
  active: fc.boolean(),
})

export const levelsArb = fc
  .tuple(...PEERS.map(() => levelArb))
  .map((levels) => new Map(PEERS.map((p, i) => [p, levels[i] as TrustLevel])))

export function replicaOf(
  items: Iterable<VerifiedContribution>,
  levels = new Map<string, TrustLevel>(),
) {
  const r = new Replica({ params, selfHex: SELF, trustOf: (o) => levels.get(o) })
  for (const v of items) r.add(v)
  return r
}

/**
 * Union the way two nodes merge over sync: every stored id of the peer's epochs that
 * `me` lacks is fetched and added. Returns how many were added.
 */
export function pullFrom(me: Replica, peer: Replica): number {
  let added = 0
  for (const { epoch } of peer.summaries())
    for (const id of me.missingFrom(peer.storedIdsOf(epoch)))
      if (me.add(peer.get(id) as VerifiedContribution) === 'added') added++
  return added
}

/** Everything a replica derives, in comparable form (credit apart: a float sum). */
export function fingerprint(r: Replica) {
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

export function expectSame(a: Replica, b: Replica): void {
  expect(fingerprint(a)).toEqual(fingerprint(b))
  expect(a.creditBits).toBeCloseTo(b.creditBits, 9)
}
