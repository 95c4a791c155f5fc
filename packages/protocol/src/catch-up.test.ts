import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type CatchUpVoter, catchUpDecision } from './consensus.js'

const TWO_THIRDS = 2 / 3
const MINE = 'aa'
const OTHER = 'bb'

const voter = (originHex: string, digestHex: string, heard = true, trust = 0.8): CatchUpVoter => ({
  originHex,
  trust,
  digestHex,
  heard,
})

describe('catchUpDecision: when an epoch caught up on may freeze, and with which set', () => {
  it('waits with no counted vote: never on nobody’s word', () => {
    expect(catchUpDecision([], MINE, TWO_THIRDS)).toEqual({ action: 'wait' })
    expect(catchUpDecision([voter('a', MINE, true, 0)], MINE, TWO_THIRDS)).toEqual({
      action: 'wait',
    })
  })

  it('waits on the word of one voter among three', () => {
    const voters = [voter('a', MINE), voter('b', MINE, false), voter('c', MINE, false)]
    expect(catchUpDecision(voters, MINE, TWO_THIRDS)).toEqual({ action: 'wait' })
  })

  it('keeps its own set once members holding 2/3 of the voted trust were heard with it', () => {
    const voters = [voter('a', MINE), voter('b', MINE), voter('c', MINE, false)]
    expect(catchUpDecision(voters, MINE, TWO_THIRDS)).toEqual({ action: 'keep', agreed: true })
  })

  it('adopts the digest the heard quorum voted, from its voters, most trusted first', () => {
    const voters = [
      voter('a', OTHER, true, 0.5),
      voter('b', OTHER, true, 0.9),
      voter('c', MINE, true, 0.5),
    ]
    expect(catchUpDecision(voters, MINE, TWO_THIRDS)).toEqual({
      action: 'adopt',
      digestHex: OTHER,
      from: ['b', 'a'],
      agreed: true,
    })
  })

  it('weighs by trust: one heavy member can outweigh two light ones, and not vice versa', () => {
    const mixed = [
      voter('a', OTHER, true, 1),
      voter('b', MINE, false, 0.2),
      voter('c', MINE, false, 0.2),
    ]
    expect(catchUpDecision(mixed, MINE, TWO_THIRDS)).toMatchObject({
      action: 'adopt',
      digestHex: OTHER,
    })
    const light = [
      voter('a', OTHER, false, 1),
      voter('b', MINE, true, 0.2),
      voter('c', MINE, true, 0.2),
    ]
    expect(catchUpDecision(light, MINE, TWO_THIRDS)).toEqual({ action: 'wait' })
  })

  it('with no digest at 2/3 it keeps the one with the most trust, reported not agreed', () => {
    const split = [voter('a', OTHER), voter('b', MINE), voter('c', 'cc'), voter('d', OTHER)]
    expect(catchUpDecision(split, MINE, TWO_THIRDS)).toEqual({
      action: 'adopt',
      digestHex: OTHER,
      from: ['a', 'd'],
      agreed: false,
    })
  })

  it('breaks a tie of trust by the smallest digest, so every node picks the same', () => {
    const tie = [voter('a', 'cc'), voter('b', OTHER)]
    expect(catchUpDecision(tie, MINE, TWO_THIRDS)).toMatchObject({ digestHex: OTHER })
    expect(catchUpDecision([...tie].reverse(), MINE, TWO_THIRDS)).toMatchObject({
      digestHex: OTHER,
    })
  })

  const votersArb = fc.uniqueArray(
    fc.record({
      originHex: fc.string({
        unit: fc.constantFrom(...'0123456789abcdef'),
        minLength: 2,
        maxLength: 4,
      }),
      trust: fc.constantFrom(0, 0.2, 0.5, 0.8, 1),
      digestHex: fc.constantFrom(MINE, OTHER, 'cc'),
      heard: fc.boolean(),
    }),
    { selector: (v) => v.originHex, maxLength: 9 },
  )

  it('property: the decision does not depend on the order votes arrived in', () => {
    fc.assert(
      fc.property(votersArb, fc.integer(), (voters, seed) => {
        const shuffled = [...voters].sort(
          (a, b) =>
            ((a.originHex.charCodeAt(0) * seed) % 7) - ((b.originHex.charCodeAt(0) * seed) % 7),
        )
        expect(catchUpDecision(shuffled, MINE, TWO_THIRDS)).toEqual(
          catchUpDecision(voters, MINE, TWO_THIRDS),
        )
      }),
    )
  })

  it('property: never decides below the heard quorum; the digest held has the most heard trust', () => {
    fc.assert(
      fc.property(votersArb, (voters) => {
        const d = catchUpDecision(voters, MINE, TWO_THIRDS)
        const counted = voters.filter((v) => v.trust > 0)
        const total = counted.reduce((s, v) => s + v.trust, 0)
        const heard = counted.filter((v) => v.heard)
        const heardTrust = heard.reduce((s, v) => s + v.trust, 0)
        if (total === 0 || heardTrust < TWO_THIRDS * total - 1e-9) {
          expect(d).toEqual({ action: 'wait' })
          return
        }
        expect(d.action).not.toBe('wait')
        const held = d.action === 'adopt' ? d.digestHex : MINE
        const trustOf = (digest: string) =>
          heard.filter((v) => v.digestHex === digest).reduce((s, v) => s + v.trust, 0)
        for (const v of heard)
          expect(trustOf(held)).toBeGreaterThanOrEqual(trustOf(v.digestHex) - 1e-9)
        if (d.action === 'adopt')
          expect(d.from.sort()).toEqual(
            heard
              .filter((v) => v.digestHex === held)
              .map((v) => v.originHex)
              .sort(),
          )
      }),
    )
  })
})
