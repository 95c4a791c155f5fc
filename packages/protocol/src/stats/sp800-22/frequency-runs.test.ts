import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../../errors.js'
import { blockFrequencyBlockLength, blockFrequencyTest, frequencyTest } from './frequency.js'
import { LONGEST_RUN_TABLES, longestRunOfOnesTest, runsTest } from './runs.js'
import { bitsOf, E_1M, EPS_100, EPS_128, expectPrinted } from './sp800-22.fixtures.js'

// SP 800-22 worked examples for the frequency, block frequency, runs and longest-run tests.

describe('frequency (monobit) §2.1', () => {
  it('§2.1.4: ε = 1011010101 → s_obs = 0.632455532, P = 0.527089', () => {
    const r = frequencyTest(bitsOf('1011010101'))
    expectPrinted(r.sObs, '0.632455532')
    expectPrinted(r.pValue, '0.527089')
  })

  it('§2.1.8: 100 bits → s_obs = 1.6, P = 0.109599', () => {
    const r = frequencyTest(EPS_100)
    expectPrinted(r.sObs, '1.6')
    expectPrinted(r.pValue, '0.109599')
  })

  it('Appendix B, e (10^6 bits): P = 0.953749', () => {
    expectPrinted(frequencyTest(E_1M).pValue, '0.953749')
  })
})

describe('block frequency §2.2', () => {
  it('§2.2.4: ε = 0110011010, M = 3 → χ² = 1, P = 0.801252', () => {
    const r = blockFrequencyTest(bitsOf('0110011010'), 3)
    expect(r.blocks).toBe(3)
    expect(r.chiSquared).toBe(1)
    expectPrinted(r.pValue, '0.801252')
  })

  it('§2.2.8: 100 bits, M = 10 → χ² = 7.2, P = 0.706438', () => {
    const r = blockFrequencyTest(EPS_100, 10)
    expectPrinted(r.chiSquared, '7.2')
    expectPrinted(r.pValue, '0.706438')
  })

  it('Appendix B, e, M = 128: P = 0.211072', () => {
    expectPrinted(blockFrequencyTest(E_1M, 128).pValue, '0.211072')
  })

  it('the suite picks M = max(20, ⌊n/100⌋ + 1): M ≥ 20, M > 0.01n, N < 100', () => {
    expect(blockFrequencyBlockLength(100)).toBe(20)
    expect(blockFrequencyBlockLength(10_000)).toBe(101)
    expect(blockFrequencyBlockLength(1_000_000)).toBe(10_001)
    for (const n of [100, 1999, 2000, 2001, 10_000, 123_456, 1_000_000]) {
      const M = blockFrequencyBlockLength(n)
      expect(M).toBeGreaterThanOrEqual(20)
      expect(M).toBeGreaterThan(0.01 * n)
      expect(Math.floor(n / M)).toBeLessThan(100)
    }
  })

  it('rejects M outside 1..n', () => {
    expect(() => blockFrequencyTest(EPS_100, 0)).toThrow(InvalidInputError)
    expect(() => blockFrequencyTest(EPS_100, 101)).toThrow(InvalidInputError)
    expect(() => blockFrequencyTest(EPS_100, 2.5)).toThrow(InvalidInputError)
  })
})

describe('runs §2.3', () => {
  it('§2.3.4: ε = 1001101011 → π = 3/5, V = 7, P = 0.147232', () => {
    const r = runsTest(bitsOf('1001101011'))
    expect(r.pi).toBe(0.6)
    expect(r.runs).toBe(7)
    expectPrinted(r.pValue, '0.147232')
  })

  it('§2.3.8: 100 bits → π = 0.42, V = 52, P = 0.500798', () => {
    const r = runsTest(EPS_100)
    expect(r.pi).toBe(0.42)
    expect(r.runs).toBe(52)
    expectPrinted(r.pValue, '0.500798')
  })

  it('Appendix B, e: P = 0.561917', () => {
    expectPrinted(runsTest(E_1M).pValue, '0.561917')
  })

  it('the frequency prerequisite: |π − ½| ≥ 2/√n gives P = 0 without running', () => {
    // n = 100: τ = 0.2; 70 ones fail it, 69 pass it.
    const seventy = bitsOf(`${'1'.repeat(70)}${'0'.repeat(30)}`)
    expect(runsTest(seventy)).toMatchObject({ prerequisiteMet: false, pValue: 0 })
    const sixtyNine = bitsOf(`${'10'.repeat(31)}${'1'.repeat(38)}`)
    expect(sixtyNine.reduce((a, b) => a + b, 0)).toBe(69)
    expect(runsTest(sixtyNine).prerequisiteMet).toBe(true)
  })

  it('a constant sequence too short for the prerequisite still gets P = 0', () => {
    expect(runsTest(bitsOf('1111')).pValue).toBe(0)
  })
})

describe('longest run of ones in a block §2.4', () => {
  it('§2.4.8: 128 bits, M = 8 → ν = (4, 9, 3, 0), χ² = 4.882457, P = 0.180609', () => {
    const r = longestRunOfOnesTest(EPS_128)
    expect(r.blockLength).toBe(8)
    expect(r.blocks).toBe(16)
    expect(r.classCounts).toEqual([4, 9, 3, 0])
    expectPrinted(r.chiSquared, '4.882457')
    expectPrinted(r.pValue, '0.180609')
  })

  it('Appendix B, e: M = 10^4, N = 100, P = 0.718945', () => {
    const r = longestRunOfOnesTest(E_1M)
    expect(r.blockLength).toBe(10_000)
    expect(r.blocks).toBe(100)
    expectPrinted(r.pValue, '0.718945')
  })

  it('M = 8 / 128 / 10^4 from n ≥ 128 / 6272 / 750000; below 128 it does not apply', () => {
    const sizes: [number, number][] = [
      [128, 8],
      [6271, 8],
      [6272, 128],
      [749_999, 128],
      [750_000, 10_000],
    ]
    for (const [n, M] of sizes)
      expect(longestRunOfOnesTest(E_1M.subarray(0, n)).blockLength).toBe(M)
    expect(() => longestRunOfOnesTest(E_1M.subarray(0, 127))).toThrow(InvalidInputError)
  })

  it('class boundaries: longest runs at and beyond each end land in the end classes', () => {
    // M = 8: class 0 is ≤ 1, class 3 is ≥ 4. Blocks: 00000000 (0), 01000000 (1),
    // 11000000 (2), 11100000 (3), 11110000 (4), 11111111 (8), then ten of 10101010 (1).
    const blocks = ['00000000', '01000000', '11000000', '11100000', '11110000', '11111111']
    const text = `${blocks.join('')}${'10101010'.repeat(10)}`
    expect(longestRunOfOnesTest(bitsOf(text)).classCounts).toEqual([12, 1, 1, 2])
  })

  it('class probabilities: M = 8 and 128 are the exact distribution; all tables sum to 1', () => {
    // P(longest run of ones ≤ r) in M fair bits, by dynamic programming on the final run.
    const atMost = (M: number, r: number): number => {
      let state = new Array<number>(r + 1).fill(0)
      state[0] = 1
      for (let i = 0; i < M; i++) {
        const next = new Array<number>(r + 1).fill(0)
        next[0] = state.reduce((a, b) => a + b, 0) / 2
        for (let k = 1; k <= r; k++) next[k] = (state[k - 1] as number) / 2
        state = next
      }
      return state.reduce((a, b) => a + b, 0)
    }
    for (const table of LONGEST_RUN_TABLES) {
      const total = table.probabilities.reduce((a, b) => a + b, 0)
      expect(Math.abs(total - 1)).toBeLessThan(1e-9)
      if (table.blockLength === 10_000) continue // the document's approximate values
      const K = table.probabilities.length - 1
      for (let i = 0; i < K; i++) {
        const below = i === 0 ? 0 : atMost(table.blockLength, table.shortest + i - 1)
        const exact = atMost(table.blockLength, table.shortest + i) - below
        expect(Math.abs((table.probabilities[i] as number) - exact)).toBeLessThan(1e-11)
      }
    }
  })
})
