import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  agreed,
  type ByzAction,
  type ByzVoteSpec,
  runSimulation,
  type SimConfig,
} from './simulator.fixtures.js'

/**
 * "Admission after close" simulated (DESIGN.md, "Re-votes carry their evidence"): n honest
 * nodes (3–7) and up to K colluding members, K = byzantineRounds (1–3), clocks within
 * skew < R/4, honest delays in [0, R − skew). With evidence no schedule splits the honest
 * nodes and every item an honest node held before close ends in every set; without it a
 * schedule splits them; K + 1 colluders split them even with it.
 */

const R = 100
const CLOSE = 1000

const actionArb = (n: number, K: number, offsets: number[]): fc.Arbitrary<ByzAction> => {
  // a chosen moment by the target's clock: a round boundary (or close) give or take
  const when = fc
    .record({
      to: fc.integer({ min: 0, max: n - 1 }),
      round: fc.integer({ min: 0, max: K + 2 }),
      shift: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(-1, 0, 1) },
        { weight: 1, arbitrary: fc.integer({ min: -R, max: R }) },
      ),
    })
    .map(({ to, round, shift }) => ({
      to,
      atMs: Math.max(0, CLOSE + round * R - (offsets[to] as number) + shift),
    }))
  const vote = fc
    .tuple(when, fc.nat(), fc.boolean(), fc.array(fc.nat(), { maxLength: 3 }), fc.boolean())
    .map(([w, vote, ids, vouchers, items]) => ({
      kind: 'vote' as const,
      ...w,
      vote,
      ids,
      vouchers,
      items,
    }))
  return fc.oneof(
    { weight: 3, arbitrary: vote },
    {
      weight: 1,
      arbitrary: fc
        .tuple(when, fc.nat())
        .map(([w, v]) => ({ kind: 'ids' as const, ...w, vote: v })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(when, fc.nat())
        .map(([w, hidden]) => ({ kind: 'item' as const, ...w, hidden })),
    },
  )
}

const configArb = (evidence: boolean): fc.Arbitrary<SimConfig> =>
  fc
    .record({
      n: fc.integer({ min: 3, max: 7 }),
      K: fc.integer({ min: 1, max: 3 }),
      skew: fc.integer({ min: 0, max: R / 4 - 1 }),
    })
    .chain(({ n, K, skew }) =>
      fc
        .record({
          byzantine: fc.integer({ min: 0, max: K }),
          offsets: fc.array(fc.integer({ min: 0, max: skew }), { minLength: n, maxLength: n }),
          seed: fc.nat(),
          honestItems: fc.array(fc.integer({ min: 1, max: 2 ** n - 1 }), { maxLength: 4 }),
          hiddenItems: fc.integer({ min: 1, max: 3 }),
        })
        .chain((c) =>
          fc
            .record({
              byzVotes: fc.array(
                fc.record({
                  signer: fc.nat(),
                  honest: fc.boolean(),
                  hidden: fc.subarray([...Array(c.hiddenItems).keys()]),
                }),
                { maxLength: c.byzantine === 0 ? 0 : 3 * c.byzantine },
              ),
              actions: fc.array(actionArb(n, K, c.offsets), { maxLength: 20 }),
            })
            .map(
              ({ byzVotes, actions }): SimConfig => ({
                honest: n,
                timing: { roundMs: R, byzantineRounds: K },
                closeMs: CLOSE,
                offsets: c.offsets,
                delay: { seed: c.seed, maxDelayMs: R - skew - 1 },
                honestItems: c.honestItems,
                hiddenItems: c.hiddenItems,
                byzantine: c.byzantine,
                byzVotes: byzVotes.map((v) => ({ ...v, signer: v.signer % c.byzantine })),
                actions,
                evidence,
              }),
            ),
        ),
    )

/** Colluders 0..m-1 each sign "honest set + hidden item 0" and hand it, with its ids and the item, to node 0 alone at its local `atLocal`. */
function staircase(K: number, m: number, atLocal: number, evidence: boolean): SimConfig {
  const byzVotes: ByzVoteSpec[] = Array.from({ length: m }, (_, signer) => ({
    signer,
    honest: true,
    hidden: [0],
  }))
  const actions: ByzAction[] = [
    ...byzVotes.map((_, vote) => ({
      kind: 'vote' as const,
      to: 0,
      atMs: atLocal,
      vote,
      ids: true,
      vouchers: [],
    })),
    { kind: 'item', to: 0, atMs: atLocal, hidden: 0 },
  ]
  return {
    honest: 4,
    timing: { roundMs: R, byzantineRounds: K },
    closeMs: CLOSE,
    offsets: [0, 0, 0, 0],
    delay: { fixedMs: R / 2 },
    honestItems: [0b1111, 0b0011],
    hiddenItems: 1,
    byzantine: m,
    byzVotes,
    actions,
    evidence,
  }
}

describe('admission after close, simulated', () => {
  it('(a) with at most K colluders every honest node ends with the same set, every honest item in it', () => {
    let hiddenAdmitted = 0
    let lateRounds = 0
    fc.assert(
      fc.property(configArb(true), (config) => {
        const result = runSimulation(config)
        expect(agreed(result)).toBe(true)
        for (const item of result.heldBeforeClose) expect(result.finals[0]).toContain(item)
        if (result.hidden.some((h) => result.finals[0]?.includes(h))) hiddenAdmitted++
        if (result.admissions.some((a) => a.round >= 2)) lateRounds++
      }),
      { numRuns: 200 },
    )
    // the colluders did get hidden items in, also in later rounds: the runs were not idle
    expect(hiddenAdmitted).toBeGreaterThan(10)
    expect(lateRounds).toBeGreaterThan(0)
  })

  it('(b) without evidence in re-votes one colluder splits them (a concrete schedule)', () => {
    // K = 1: one colluder shows node 0 alone, at the last instant of round 1, a vote over
    // the honest set + a hidden item, its ids and the item. Node 0 admits it (1 voucher)
    // and re-votes; the others get that re-vote in round 2, where 2 vouchers are needed.
    const split = staircase(1, 1, CLOSE + R, false)
    const without = runSimulation(split)
    expect(agreed(without)).toBe(false)
    expect(without.finals[0]).toContain(without.hidden[0])
    expect(without.finals[1]).not.toContain(without.hidden[0])
    // the same schedule with evidence: node 0's re-vote carries the colluder's vote
    const withIt = runSimulation({ ...split, evidence: true })
    expect(agreed(withIt)).toBe(true)
    expect(withIt.finals[1]).toContain(withIt.hidden[0])
  })

  it('(b) without evidence, random schedules find a split (seeded: ~2 % of schedules split)', () => {
    const found = fc.check(
      fc.property(configArb(false), (config) => agreed(runSimulation(config))),
      { numRuns: 2000, seed: 2024 },
    )
    expect(found.failed).toBe(true)
  })

  for (const K of [1, 2, 3])
    it(`(c) K = ${K}: K colluders cannot split at any round boundary, K + 1 can at the deadline`, () => {
      // K colluders: whatever round j <= K they reveal in, at its last instant or just
      // before, and whatever the delay, everybody ends with the hidden item
      for (let j = 1; j <= K + 1; j++)
        for (const shift of [0, -1])
          for (const fixedMs of [0, 1, R / 2, R - 1]) {
            const config = { ...staircase(K, K, CLOSE + j * R + shift, true), delay: { fixedMs } }
            const result = runSimulation(config)
            expect(agreed(result)).toBe(true)
            // revealed by round K they get in everywhere; in round K + 1 nowhere
            expect(result.finals[0]?.includes(result.hidden[0] as string)).toBe(j <= K)
          }
      // K + 1 colluders at the deadline (inclusive): node 0 admits in round K + 1, its
      // re-vote reaches the others after theirs
      const result = runSimulation(staircase(K, K + 1, CLOSE + (K + 1) * R, true))
      expect(agreed(result)).toBe(false)
      expect(result.admissions.filter((a) => a.item === result.hidden[0])).toEqual([
        { node: 0, item: result.hidden[0], localMs: CLOSE + (K + 1) * R, round: K + 1 },
      ])
    })
})
