import { describe, expect, it } from 'vitest'
import { computeTimelockGenerator, verifyTimelockGenerator } from './generator.js'
import { abs, G, isElement, powN } from './group.js'
import { DEFAULT_TIMELOCK_GENERATOR, DEFAULT_TIMELOCK_SQUARINGS } from './timelock-default.js'

describe('the time-locked generator h = g^(2^T)', () => {
  it('ships for the default T = 2^24, checked by its proof (not recomputed)', () => {
    expect(DEFAULT_TIMELOCK_SQUARINGS).toBe(2 ** 24)
    expect(DEFAULT_TIMELOCK_GENERATOR.T).toBe(2 ** 24)
    expect(isElement(DEFAULT_TIMELOCK_GENERATOR.h)).toBe(true)
    expect(verifyTimelockGenerator(DEFAULT_TIMELOCK_GENERATOR)).toBe(true)
    const { h, proof } = DEFAULT_TIMELOCK_GENERATOR
    expect(verifyTimelockGenerator({ T: 2 ** 24 + 1, h, proof })).toBe(false)
    expect(verifyTimelockGenerator({ T: 2 ** 24, h: abs(h * h), proof })).toBe(false)
    expect(verifyTimelockGenerator({ T: 2 ** 24, h, proof: abs(proof * G) })).toBe(false)
  })

  it('is computed for another T, and verifies', async () => {
    const generator = await computeTimelockGenerator(700)
    expect(generator.h).toBe(abs(powN(G, 1n << 700n)))
    expect(verifyTimelockGenerator(generator)).toBe(true)
  })
})
