import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../errors.js'
import { mcvMinEntropyFromCounts } from '../health.js'
import { shannonEntropyFromCounts, shannonEntropyPerBit } from './shannon.js'

describe('Shannon entropy per bit', () => {
  it('is 1 for a balanced sequence and 0 for a constant one', () => {
    expect(shannonEntropyPerBit(Uint8Array.from([0, 1, 1, 0]))).toBe(1)
    expect(shannonEntropyPerBit(new Uint8Array(10))).toBe(0)
    expect(shannonEntropyPerBit(new Uint8Array(10).fill(1))).toBe(0)
  })

  it('matches −p log2 p − q log2 q at known points', () => {
    // H(0.6) = 0.97095059445466858 (STATISTICS.md: 0.971), H(0.1) = 0.46899559358928122
    expect(shannonEntropyFromCounts(6, 10)).toBeCloseTo(0.9709505944546686, 15)
    expect(shannonEntropyFromCounts(1, 10)).toBeCloseTo(0.4689955935892812, 15)
    expect(shannonEntropyFromCounts(1, 1)).toBe(0)
  })

  it('overstates entropy next to the credited MCV estimate (60 % ones: 0.971 vs 0.736)', () => {
    const L = 8_000_000
    expect(shannonEntropyFromCounts(0.6 * L, L)).toBeGreaterThan(0.97)
    expect(mcvMinEntropyFromCounts(0.6 * L, L)).toBeLessThan(0.74)
  })

  it('is symmetric in ones and zeros and never above 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n))),
        ([n, ones]) => {
          const h = shannonEntropyFromCounts(ones, n)
          expect(h).toBe(shannonEntropyFromCounts(n - ones, n))
          expect(h).toBeGreaterThanOrEqual(0)
          expect(h).toBeLessThanOrEqual(1)
        },
      ),
    )
  })

  it('rejects empty input, impossible counts and values other than 0 and 1', () => {
    expect(() => shannonEntropyPerBit(new Uint8Array(0))).toThrow(InvalidInputError)
    expect(() => shannonEntropyFromCounts(0, 0)).toThrow(InvalidInputError)
    expect(() => shannonEntropyFromCounts(5, 4)).toThrow(InvalidInputError)
    expect(() => shannonEntropyPerBit(Uint8Array.from([1, 0, 3]))).toThrow(InvalidInputError)
  })
})
