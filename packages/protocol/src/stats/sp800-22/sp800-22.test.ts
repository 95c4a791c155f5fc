import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../../errors.js'
import { cumulativeSumsTest, cusumExcursion, cusumPValue } from './cusum.js'
import { blockFrequencyBlockLength, blockFrequencyTest, frequencyTest } from './frequency.js'
import {
  approximateEntropyBlockLength,
  approximateEntropyTest,
  foldPatternCounts,
  patternCounts,
  serialBlockLength,
  serialTest,
} from './patterns.js'
import { LONGEST_RUN_TABLES, longestRunOfOnesTest, runsTest } from './runs.js'
import { runSp80022, SP800_22_TESTS } from './suite.js'

/**
 * Worked examples printed in NIST SP 800-22 rev1a (section numbers in each test), checked
 * to the printed precision: |got − printed| ≤ half a unit of the last printed digit.
 * Where the document's own number is off, the test says so and also checks the exact
 * value of the document's formula (computed with mpmath at 40 digits).
 */

function bitsOf(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => (c === '1' ? 1 : 0))
}

function expectPrinted(got: number, printed: string): void {
  const decimals = printed.split('.')[1]?.length ?? 0
  expect(Math.abs(got - Number(printed)), `got ${got}, printed ${printed}`).toBeLessThanOrEqual(
    0.5 * 10 ** -decimals + 1e-15,
  )
}

/** §2.1.8, 2.2.8, 2.3.8, 2.12.8, 2.13.8: the same 100-bit ε. */
const EPS_100 = bitsOf(
  '1100100100001111110110101010001000100001011010001100001000110100110001001100011001100010100010111000',
)

/** §2.4.8: 128 bits. */
const EPS_128 = bitsOf(
  '11001100000101010110110001001100111000000000001001001101010100010001001111010110100000001101011111001100111001101101100010110010',
)

/**
 * The first n bits of e in binary (10.1011011111100001…), the sequence of SP 800-22's
 * Appendix B and of the NIST reference code's data/data.e. e = Σ 1/k! by binary
 * splitting on BigInt; the bits are ⌊e · 2^(n−2)⌋. ~0.1 s for 10^6 bits.
 */
function eBits(n: number): Uint8Array {
  const split = (a: number, b: number): [bigint, bigint] => {
    if (b - a === 1) return [1n, BigInt(b)]
    const mid = (a + b) >> 1
    const [p1, q1] = split(a, mid)
    const [p2, q2] = split(mid, b)
    return [p1 * q2 + p2, q1 * q2]
  }
  // Enough terms that the tail Σ_{k>K} 1/k! < 2^-(n+64).
  let terms = 2
  for (let log2Factorial = 0; log2Factorial < n + 64; terms++) log2Factorial += Math.log2(terms)
  const [p, q] = split(0, terms) // Σ_{k=1..terms} 1/k! = p/q
  return bitsOf((((q + p) << BigInt(n - 2)) / q).toString(2))
}

const E_1M = eBits(1_000_000)

describe('the binary expansion of e used by the e examples', () => {
  it('starts as data/data.e of the NIST reference code and has 10^6 bits', () => {
    expect(E_1M.length).toBe(1_000_000)
    const head = Array.from(E_1M.subarray(0, 49)).join('')
    expect(head).toBe('1010110111111000010101000101100010100010101110110')
  })
})

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

describe('serial §2.11', () => {
  it('§2.11.4: ε = 0011011101, m = 3 → ψ² = 2.8, 1.2, 0.4; P = 0.808792, 0.670320', () => {
    // §2.11.4 step 5 prints 0.9057 and 0.8805, which are not igamc(2, 0.8) and
    // igamc(1, 0.4); §2.11.6 prints the right 0.808792 and 0.670320 for this example.
    const r = serialTest(bitsOf('0011011101'), 3)
    expect(r.psiSquared.map((v) => Number(v.toFixed(12)))).toEqual([2.8, 1.2, 0.4])
    expectPrinted(r.delta1, '1.6')
    expectPrinted(r.delta2, '0.8')
    expectPrinted(r.pValue1, '0.808792')
    expectPrinted(r.pValue2, '0.670320')
  })

  it('§2.11.8: e, m = 2 → ∇ψ² = 0.339764, ∇²ψ² = 0.336400, P = 0.843764, 0.561915', () => {
    const r = serialTest(E_1M, 2)
    expectPrinted(r.delta1, '0.339764')
    expectPrinted(r.delta2, '0.336400')
    expectPrinted(r.pValue1, '0.843764')
    expectPrinted(r.pValue2, '0.561915')
  })

  it('Appendix B, e, m = 16: P = 0.766182, 0.462921', () => {
    const r = serialTest(E_1M, 16)
    expectPrinted(r.pValue1, '0.766182')
    expectPrinted(r.pValue2, '0.462921')
  })

  it('the suite picks m = ⌊log2 n⌋ − 3, the largest m < ⌊log2 n⌋ − 2', () => {
    expect(serialBlockLength(1_000_000)).toBe(16)
    expect(serialBlockLength(10_000)).toBe(10)
    expect(serialBlockLength(100)).toBe(3)
    expect(serialBlockLength(1024)).toBe(7)
    expect(serialBlockLength(1023)).toBe(6)
  })

  it('rejects m < 2 and m > n', () => {
    expect(() => serialTest(EPS_100, 1)).toThrow(InvalidInputError)
    expect(() => serialTest(bitsOf('0101'), 5)).toThrow(InvalidInputError)
  })
})

describe('approximate entropy §2.12', () => {
  it('§2.12.4: ε = 0100110101, m = 3 → ApEn = 0.190954, χ² = 10.043859, P = 0.261961', () => {
    // The document prints χ² = 0.502193 (that is ln 2 − ApEn, not 2n times it), yet its
    // P-value 0.261961 is that of χ² = 10.043859.
    const r = approximateEntropyTest(bitsOf('0100110101'), 3)
    expectPrinted(r.apEn, '0.190954')
    expectPrinted(r.chiSquared, '10.043859')
    expectPrinted(r.pValue, '0.261961')
  })

  it('§2.12.8: 100 bits, m = 2 → ApEn = 0.665393, χ² = 5.550792, P = 0.235301', () => {
    const r = approximateEntropyTest(EPS_100, 2)
    expectPrinted(r.apEn, '0.665393')
    expectPrinted(r.chiSquared, '5.550792')
    expectPrinted(r.pValue, '0.235301')
  })

  it('Appendix B, e, m = 10: P = 0.700073', () => {
    expectPrinted(approximateEntropyTest(E_1M, 10).pValue, '0.700073')
  })

  it('the suite picks m = ⌊log2 n⌋ − 6, the largest m < ⌊log2 n⌋ − 5', () => {
    expect(approximateEntropyBlockLength(1_000_000)).toBe(13)
    expect(approximateEntropyBlockLength(10_000)).toBe(7)
    expect(approximateEntropyBlockLength(128)).toBe(1)
    expect(approximateEntropyBlockLength(127)).toBe(0)
  })

  it('rejects m < 1 and m + 1 > n', () => {
    expect(() => approximateEntropyTest(EPS_100, 0)).toThrow(InvalidInputError)
    expect(() => approximateEntropyTest(bitsOf('0101'), 4)).toThrow(InvalidInputError)
  })
})

describe('cumulative sums §2.13', () => {
  it('§2.13.4: ε = 1011010111, forward → z = 4, P = 0.4116588 (exact: 0.41165862)', () => {
    const r = cumulativeSumsTest(bitsOf('1011010111'))
    expect(r.z).toBe(4)
    // The seventh printed digit is off: the formula gives 0.4116586191538022.
    expectPrinted(r.pValue, '0.411659')
    expect(Math.abs(r.pValue - 0.4116586191538022)).toBeLessThan(1e-12)
  })

  it('§2.13.8: 100 bits → forward z = 16, P = 0.219194; backward z = 19, P = 0.114866', () => {
    const forward = cumulativeSumsTest(EPS_100, 'forward')
    expect(forward.z).toBe(16)
    expectPrinted(forward.pValue, '0.219194')
    const backward = cumulativeSumsTest(EPS_100, 'backward')
    expect(backward.z).toBe(19)
    expectPrinted(backward.pValue, '0.114866')
  })

  it('Appendix B, e: forward 0.669887, backward 0.724266, one unit off in the last digit', () => {
    // The formula gives 0.66988646416814 (z = 956) and 0.72426530996981 (z = 898), as
    // mpmath confirms and the NIST reference code prints (0.669886, 0.724265).
    const forward = cumulativeSumsTest(E_1M, 'forward')
    const backward = cumulativeSumsTest(E_1M, 'backward')
    expect([forward.z, backward.z]).toEqual([956, 898])
    expect(Math.abs(forward.pValue - 0.669887)).toBeLessThanOrEqual(1e-6)
    expect(Math.abs(backward.pValue - 0.724266)).toBeLessThanOrEqual(1e-6)
    expect(Math.abs(forward.pValue - 0.66988646416814)).toBeLessThan(1e-12)
    expect(Math.abs(backward.pValue - 0.72426530996981)).toBeLessThan(1e-12)
  })

  it('a walk that barely moves gets P = 1 (the test is one-sided), without n terms', () => {
    // z = 1: under H0 the largest excursion is at least 1 with certainty.
    const alternating = new Uint8Array(1_000_000).map((_, i) => (i + 1) & 1)
    const r = cumulativeSumsTest(alternating)
    expect(r.z).toBe(1)
    expect(r.pValue).toBeCloseTo(1, 12)
    // only ~sqrt(n)/z terms are summed: a loop over the document's n/(2z) terms would run
    // for minutes at n = 10^10 (and so hit the test's timeout), this takes ~0.3 s
    expect(cusumPValue(1e10, 1)).toBeCloseTo(1, 12)
    expect(() => cusumPValue(10, 11)).toThrow(InvalidInputError)
    expect(() => cusumPValue(10, 0)).toThrow(InvalidInputError)
  })

  it('a walk that runs away gets P ≈ 0', () => {
    const drift = new Uint8Array(10_000).map((_, i) => (i % 10 < 6 ? 1 : 0))
    expect(cumulativeSumsTest(drift).pValue).toBeLessThan(1e-10)
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
