import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { TrustLevel } from '../consensus.js'
import { toHex } from '../signing.js'
import type { VerifiedContribution } from '../types.js'
import {
  contributionsArb,
  expectSame,
  fingerprint,
  levelsArb,
  PEERS,
  pullFrom,
  replicaOf,
} from './arbitraries.fixtures.js'
import type { Replica } from './index.js'

/**
 * Properties of the replica: derived values depend on the folded set only (not on arrival
 * order), merging by sync is a set union, repair converges.
 */

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
