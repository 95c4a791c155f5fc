import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../../errors.js'
import { cumulativeSumsTest, cusumPValue } from './cusum.js'
import {
  approximateEntropyBlockLength,
  approximateEntropyTest,
  serialBlockLength,
  serialTest,
} from './patterns.js'
import { bitsOf, E_1M, EPS_100, expectPrinted } from './sp800-22.fixtures.js'

// SP 800-22 worked examples for the serial, approximate entropy and cumulative sums tests.

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
