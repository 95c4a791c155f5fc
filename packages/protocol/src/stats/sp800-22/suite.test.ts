import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../../errors.js'
import { cumulativeSumsTest, cusumExcursion } from './cusum.js'
import { blockFrequencyTest, frequencyTest } from './frequency.js'
import { approximateEntropyTest, foldPatternCounts, patternCounts, serialTest } from './patterns.js'
import { longestRunOfOnesTest, runsTest } from './runs.js'
import { E_1M, EPS_100, expectPrinted } from './sp800-22.fixtures.js'
import { runSp80022, SP800_22_TESTS } from './suite.js'

// The input e for the Appendix B examples, the whole suite, and properties across the tests.

describe('the binary expansion of e used by the e examples', () => {
  it('starts as data/data.e of the NIST reference code and has 10^6 bits', () => {
    expect(E_1M.length).toBe(1_000_000)
    const head = Array.from(E_1M.subarray(0, 49)).join('')
    expect(head).toBe('1010110111111000010101000101100010100010101110110')
  })
})

describe('input checks', () => {
  it('every test rejects empty input and values other than 0 and 1', () => {
    const empty = new Uint8Array(0)
    const bad = Uint8Array.from([0, 1, 2, 1])
    const tests: ((b: Uint8Array) => unknown)[] = [
      frequencyTest,
      (b) => blockFrequencyTest(b, 2),
      runsTest,
      longestRunOfOnesTest,
      (b) => cumulativeSumsTest(b),
      (b) => serialTest(b, 2),
      (b) => approximateEntropyTest(b, 1),
      (b) => runSp80022(b),
    ]
    for (const test of tests) {
      expect(() => test(bad)).toThrow(InvalidInputError)
      if (test !== tests.at(-1)) expect(() => test(empty)).toThrow(InvalidInputError)
    }
  })
})

describe('runSp80022', () => {
  it('reports all nine tests in order, with the parameters chosen, on 10^6 bits of e', () => {
    const results = runSp80022(E_1M)
    expect(results.map((r) => r.name)).toEqual([...SP800_22_TESTS])
    const byName = Object.fromEntries(results.map((r) => [r.name, r]))
    expect(byName['block-frequency']?.parameters).toEqual({ M: 10_001 })
    expect(byName['longest-run']?.parameters).toEqual({ M: 10_000 })
    expect(byName['approximate-entropy']?.parameters).toEqual({ m: 13 })
    expect(byName['serial-1']?.parameters).toEqual({ m: 16 })
    expectPrinted(byName.frequency?.pValue as number, '0.953749')
    expectPrinted(byName.runs?.pValue as number, '0.561917')
    expectPrinted(byName['longest-run']?.pValue as number, '0.718945')
    expectPrinted(byName['serial-1']?.pValue as number, '0.766182')
    expectPrinted(byName['serial-2']?.pValue as number, '0.462921')
    expect(byName['approximate-entropy']?.pValue).toBe(approximateEntropyTest(E_1M, 13).pValue)
    for (const r of results) {
      expect(r.skipped).toBeUndefined()
      expect(r.passed).toBe((r.pValue as number) >= 0.01)
    }
  })

  it('skips, with a reason, the tests whose rules need more bits', () => {
    const none = runSp80022(new Uint8Array(0))
    expect(none.map((r) => r.name)).toEqual([...SP800_22_TESTS])
    for (const r of none) {
      expect(r).toMatchObject({ pValue: null, passed: null })
      expect(r.skipped).toMatch(/needs at least \d+ bits.*got 0$/)
    }
    const skippedAt = (n: number) =>
      runSp80022(E_1M.subarray(0, n))
        .filter((r) => r.skipped !== undefined)
        .map((r) => r.name)
    expect(skippedAt(99)).toEqual([...SP800_22_TESTS])
    expect(skippedAt(100)).toEqual(['longest-run', 'approximate-entropy'])
    expect(skippedAt(127)).toEqual(['longest-run', 'approximate-entropy'])
    expect(skippedAt(128)).toEqual([])
  })

  it('passes at p ≥ alpha and rejects alpha outside (0, 1)', () => {
    const results = runSp80022(EPS_100, 0.2)
    const frequency = results.find((r) => r.name === 'frequency')
    expect(frequency).toMatchObject({ passed: false }) // P = 0.109599 < 0.2
    expect(() => runSp80022(EPS_100, 0)).toThrow(InvalidInputError)
    expect(() => runSp80022(EPS_100, 1)).toThrow(InvalidInputError)
    expect(() => runSp80022(EPS_100, Number.NaN)).toThrow(InvalidInputError)
  })

  it('a stuck source fails what it should', () => {
    const zeros = new Uint8Array(10_000)
    const failed = runSp80022(zeros)
      .filter((r) => r.passed === false)
      .map((r) => r.name)
    expect(failed).toEqual(
      expect.arrayContaining([
        'frequency',
        'block-frequency',
        'runs',
        'longest-run',
        'cumulative-sums-forward',
        'cumulative-sums-backward',
        'approximate-entropy',
        'serial-1',
      ]),
    )
  })
})

describe('properties', () => {
  const bitsArb = fc
    .array(fc.integer({ min: 0, max: 1 }), { minLength: 128, maxLength: 2000 })
    .map((a) => Uint8Array.from(a))

  it('pattern counts match a naive count over the wrapped sequence, and fold correctly', () => {
    fc.assert(
      fc.property(bitsArb, fc.integer({ min: 1, max: 6 }), (bits, k) => {
        const n = bits.length
        const naive = new Uint32Array(2 ** k)
        for (let j = 0; j < n; j++) {
          let v = 0
          for (let i = 0; i < k; i++) v = 2 * v + (bits[(j + i) % n] as number)
          naive[v] = (naive[v] as number) + 1
        }
        expect(patternCounts(bits, k)).toEqual(naive)
        expect(foldPatternCounts(patternCounts(bits, k + 1))).toEqual(naive)
      }),
    )
  })

  it('backward cusum is forward cusum of the reversed bits', () => {
    fc.assert(
      fc.property(bitsArb, (bits) => {
        const reversed = bits.slice().reverse()
        expect(cusumExcursion(bits, 'backward')).toBe(cusumExcursion(reversed, 'forward'))
      }),
    )
  })

  it('complementing every bit leaves every test but longest-run unchanged', () => {
    fc.assert(
      fc.property(bitsArb, (bits) => {
        const flipped = bits.map((b) => 1 - b)
        const keep = (rs: ReturnType<typeof runSp80022>) =>
          rs.filter((r) => r.name !== 'longest-run').map((r) => r.pValue)
        const a = keep(runSp80022(bits))
        const b = keep(runSp80022(flipped))
        for (let i = 0; i < a.length; i++)
          expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(1e-12)
      }),
      { numRuns: 50 },
    )
  })

  it('every p-value lies in [0, 1]', () => {
    fc.assert(
      fc.property(bitsArb, (bits) => {
        for (const r of runSp80022(bits)) {
          expect(r.pValue).not.toBeNull()
          expect(r.pValue as number).toBeGreaterThanOrEqual(0)
          expect(r.pValue as number).toBeLessThanOrEqual(1)
        }
      }),
      { numRuns: 50 },
    )
  })
})
