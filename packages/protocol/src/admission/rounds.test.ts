import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { admissionDeadlineMs, admissionRound, defaultRoundMs } from './rounds.js'

describe('admission rounds', () => {
  const timing = { roundMs: 500, byzantineRounds: 3 }
  const close = 10_000

  it('is open up to close inclusive, round k on (close + (k-1)R, close + kR], over after', () => {
    expect(admissionRound(0, close, timing)).toBe('open')
    expect(admissionRound(close, close, timing)).toBe('open')
    expect(admissionRound(close + 1, close, timing)).toBe(1)
    expect(admissionRound(close + 500, close, timing)).toBe(1)
    expect(admissionRound(close + 501, close, timing)).toBe(2)
    expect(admissionRound(close + 1500, close, timing)).toBe(3)
    expect(admissionRound(close + 1501, close, timing)).toBe(4)
    // the deadline belongs to the last round, K + 1
    expect(admissionDeadlineMs(close, timing)).toBe(close + 2000)
    expect(admissionRound(close + 2000, close, timing)).toBe(4)
    expect(admissionRound(close + 2001, close, timing)).toBe('over')
  })

  it('K = 0 has a single round', () => {
    const one = { roundMs: 7, byzantineRounds: 0 }
    expect(admissionRound(close + 7, close, one)).toBe(1)
    expect(admissionRound(close + 8, close, one)).toBe('over')
    expect(admissionDeadlineMs(close, one)).toBe(close + 7)
  })

  it('every instant after close is in exactly the round its interval says', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 1, max: 100_000 }),
        (roundMs, byzantineRounds, closeMs, after) => {
          const t = { roundMs, byzantineRounds }
          const round = admissionRound(closeMs + after, closeMs, t)
          const deadline = admissionDeadlineMs(closeMs, t)
          if (closeMs + after > deadline) expect(round).toBe('over')
          else {
            expect(typeof round).toBe('number')
            const k = round as number
            expect(k).toBeGreaterThanOrEqual(1)
            expect(k).toBeLessThanOrEqual(byzantineRounds + 1)
            expect(closeMs + after).toBeGreaterThan(closeMs + (k - 1) * roundMs)
            expect(closeMs + after).toBeLessThanOrEqual(closeMs + k * roundMs)
          }
        },
      ),
    )
  })

  it('refuses a timing that has no rounds', () => {
    expect(() => admissionRound(1, 0, { roundMs: 0, byzantineRounds: 3 })).toThrow(/roundMs/)
    expect(() => admissionDeadlineMs(0, { roundMs: 5, byzantineRounds: -1 })).toThrow(
      /byzantineRounds/,
    )
    expect(() => admissionRound(Number.NaN, 0, timing)).toThrow(/finite/)
  })

  it('R defaults to half the grace, rounded down', () => {
    expect(defaultRoundMs(1000)).toBe(500)
    expect(defaultRoundMs(125)).toBe(62)
    expect(defaultRoundMs(1)).toBe(0)
  })
})
