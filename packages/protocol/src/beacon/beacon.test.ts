import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { testMember } from './beacon.fixtures.js'
import { type CommitSet, commitSet, commitWeight } from './commits.js'
import { computeTimelockGenerator } from './generator.js'
import { abs, G, invN, isElement, mulN, multiPowN, powN } from './group.js'
import { beaconOutcome, type Recovery, recoverWithheld, verifyRecovery } from './output.js'
import { checkReveals, type RevealInput } from './reveals.js'

const T = 512
const POOL = ['p0', 'p1', 'p2', 'p3', 'p4'].map(testMember)
let h: bigint

beforeAll(async () => {
  h = (await computeTimelockGenerator(T)).h
})

/** A non-empty subset of the pool as C_r and a subset of it as the withheld M. */
const arbEpoch = fc
  .subarray(POOL, { minLength: 1 })
  .chain((members) => fc.record({ members: fc.constant(members), withheld: fc.subarray(members) }))

function setOf(members: typeof POOL, epoch = 7): CommitSet {
  return commitSet(
    'default',
    T,
    epoch,
    members.map(({ origin, c }) => ({ origin, c })),
  )
}

const revealsOf = (members: typeof POOL): RevealInput[] =>
  members.map(({ origin, alpha }) => ({ origin, alpha }))
const hexOf = (m: (typeof POOL)[0]) => Buffer.from(m.origin).toString('hex')
const flip = (bytes: Uint8Array, at: number): Uint8Array => {
  const copy = new Uint8Array(bytes)
  copy[at % copy.length] = (copy[at % copy.length] as number) ^ 1
  return copy
}

describe('combine and recover', () => {
  it('a recovery of any withheld subset gives the revealed path’s Ω', async () => {
    await fc.assert(
      fc.asyncProperty(arbEpoch, async ({ members, withheld }) => {
        const set = setOf(members)
        const all = beaconOutcome(set, h, checkReveals(set, revealsOf(members)))
        expect(all.status).toBe('revealed')
        if (all.status === 'pending') return
        // Y = |(Π c_i^ℓ_i)^(2^T)| whoever reveals
        const product = multiPowN(
          set.members.map((m) => m.c),
          set.members.map((m) => m.weight),
        )
        expect(all.Y).toBe(abs(powN(product, 1n << BigInt(T))))

        const shown = members.filter((m) => !withheld.includes(m))
        const check = checkReveals(set, revealsOf(shown))
        expect(check.withheld.sort()).toEqual(withheld.map(hexOf).sort())
        if (withheld.length === 0) return
        expect(beaconOutcome(set, h, check).status).toBe('pending')
        const recovery = await recoverWithheld(set, check.withheld)
        expect(verifyRecovery(set, recovery)).toBe(true)
        const recovered = beaconOutcome(set, h, check, recovery)
        expect(recovered.status).toBe('recovered')
        if (recovered.status === 'pending') return
        expect(recovered.Y).toBe(all.Y)
        expect(recovered.beacon).toEqual(all.beacon)
        // a recovery that also covers a revealed member gives the same output
        const wider = await recoverWithheld(
          set,
          set.members.map((m) => m.originHex),
        )
        const both = beaconOutcome(set, h, check, wider)
        expect(
          both.status === 'recovered' && Buffer.from(both.beacon).equals(Buffer.from(all.beacon)),
        ).toBe(true)
      }),
      { numRuns: 12 },
    )
  })

  it('counts a tampered or misplaced reveal as withheld, and only that one', () => {
    fc.assert(
      fc.property(arbEpoch, fc.nat(), fc.nat(), (epoch, pick, at) => {
        const { members } = epoch
        const set = setOf(members)
        const victim = members[pick % members.length] as (typeof POOL)[0]
        const reveals = revealsOf(members).map((r) =>
          r.origin === victim.origin ? { origin: r.origin, alpha: flip(r.alpha, at) } : r,
        )
        const check = checkReveals(set, reveals)
        expect(check.invalid).toEqual([hexOf(victim)])
        expect(check.withheld).toEqual([hexOf(victim)])
        expect(check.revealed).toHaveLength(members.length - 1)
        expect(beaconOutcome(set, h, check).status).toBe('pending')
        // a wrong length, and another member's α, are invalid too
        const short = checkReveals(set, [
          { origin: victim.origin, alpha: victim.alpha.subarray(1) },
        ])
        expect(short.invalid).toEqual([hexOf(victim)])
        const other = POOL.find((m) => m !== victim) as (typeof POOL)[0]
        const swapped = checkReveals(set, [{ origin: victim.origin, alpha: other.alpha }])
        expect(swapped.invalid).toEqual([hexOf(victim)])
      }),
      { numRuns: 8 },
    )
  })

  it('refuses a tampered y, proof, withheld list or digest', async () => {
    const members = POOL.slice(0, 4)
    const set = setOf(members)
    const check = checkReveals(set, revealsOf(members.slice(2)))
    const good = await recoverWithheld(set, check.withheld)
    expect(verifyRecovery(set, good)).toBe(true)
    const [w0, w1] = good.withheld as [Uint8Array, Uint8Array]
    const bad: Recovery[] = [
      { ...good, y: abs(good.y * 3n) },
      { ...good, proof: abs(good.proof * 3n) },
      { ...good, y: good.proof, proof: good.y },
      { ...good, withheld: [w1, w0] },
      { ...good, withheld: [w0] },
      { ...good, withheld: [w0, w0, w1] },
      { ...good, withheld: [] },
      { ...good, commitsDigest: setOf(members, 8).digest },
    ]
    for (const recovery of bad) {
      expect(verifyRecovery(set, recovery)).toBe(false)
      expect(beaconOutcome(set, h, check, recovery).status).toBe('pending')
    }
    // a valid recovery of too few members leaves the output pending
    const partial = await recoverWithheld(set, [Buffer.from(w0).toString('hex')])
    expect(verifyRecovery(set, partial)).toBe(true)
    expect(beaconOutcome(set, h, check, partial).status).toBe('pending')
  })

  it('a changed commit changes D_r and every weight, so its reveal no longer opens it', () => {
    const members = POOL.slice(0, 3)
    const set = setOf(members)
    const [m0, m1, m2] = members as [(typeof POOL)[0], (typeof POOL)[0], (typeof POOL)[0]]
    const tampered = commitSet('default', T, 7, [
      { origin: m0.origin, c: m1.c },
      { origin: m1.origin, c: m1.c },
      { origin: m2.origin, c: m2.c },
    ])
    expect(tampered.digest).not.toEqual(set.digest)
    const check = checkReveals(tampered, revealsOf(members))
    expect(check.invalid).toEqual([hexOf(m0)])
    for (const [i, m] of tampered.members.entries())
      expect(m.weight).not.toBe(set.members[i]?.weight)
  })
})

describe('a last committer cannot cancel the others', () => {
  it('misses the output it aims at, weighted or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(POOL, { minLength: 1, maxLength: 3 }),
        fc.bigInt({ min: 2n, max: 1n << 256n }),
        async (honest, beta) => {
          const target = abs(powN(h, beta)) // Y = h^β is what the attacker wants
          const attacker = testMember('attacker')
          // 1. unweighted cancelling: c = g^β / Π c_i, which would make Π c = g^β
          const unweighted = abs(
            mulN(powN(G, beta), invN(honest.reduce((acc, m) => mulN(acc, m.c), 1n))),
          )
          // 2. with the weights it would have if its own commit were a placeholder
          const guess = commitSet(
            'default',
            T,
            7,
            [...honest, attacker].map(({ origin, c }) => ({ origin, c })),
          )
          const guessed = guess.members.filter((m) => m.originHex !== hexOf(attacker))
          const weighted = abs(
            mulN(
              powN(G, beta),
              invN(
                multiPowN(
                  guessed.map((m) => m.c),
                  guessed.map((m) => m.weight),
                ),
              ),
            ),
          )
          for (const c of [unweighted, weighted]) {
            expect(isElement(c)).toBe(true)
            const set = commitSet('default', T, 7, [
              ...honest.map(({ origin, c: ci }) => ({ origin, c: ci })),
              { origin: attacker.origin, c },
            ])
            // with weights 1 the set's product would be the target's preimage
            if (c === unweighted)
              expect(abs(set.members.reduce((acc, m) => mulN(acc, m.c), 1n))).toBe(
                abs(powN(G, beta)),
              )
            // it cannot open c, so it withholds; anyone recovers it
            const check = checkReveals(set, revealsOf(honest))
            const recovery = await recoverWithheld(set, check.withheld)
            const out = beaconOutcome(set, h, check, recovery)
            expect(out.status).toBe('recovered')
            if (out.status !== 'pending') expect(out.Y).not.toBe(target)
            expect(commitWeight(set.digest, attacker.origin, c)).not.toBe(1n)
          }
        },
      ),
      { numRuns: 6 },
    )
  })
})
