import { describe, expect, it } from 'vitest'
import { DEFAULT_PARAMS, resolveParams } from './config.js'
import { ParamsError } from './errors.js'

describe('resolveParams', () => {
  it('defaults roundMs to half the grace, byzantineRounds to 3, maxVoteBytes to 64 KiB', () => {
    expect(DEFAULT_PARAMS).toMatchObject({
      roundMs: 500,
      byzantineRounds: 3,
      maxVoteBytes: 65_536,
    })
    expect(resolveParams()).toMatchObject({ graceMs: 1000, roundMs: 500, byzantineRounds: 3 })
    // roundMs follows the grace that epochMs gives, or the one given
    expect(resolveParams({ epochMs: 250 })).toMatchObject({ graceMs: 125, roundMs: 62 })
    expect(resolveParams({ graceMs: 300 }).roundMs).toBe(150)
    expect(resolveParams({ graceMs: 300, roundMs: 40 }).roundMs).toBe(40)
  })

  it('refuses a round below 1 ms, naming graceMs when roundMs followed it', () => {
    const err = catchOf(() => resolveParams({ graceMs: 1 }))
    expect(err).toBeInstanceOf(ParamsError)
    expect(err).toMatchObject({ code: 'ERR_BAD_CONFIG' })
    expect(err.message).toMatch(/roundMs.*graceMs 1/)
    expect(() => resolveParams({ roundMs: 0 })).toThrow(/roundMs must be an integer/)
    expect(() => resolveParams({ roundMs: 2.5 })).toThrow(ParamsError)
    expect(() => resolveParams({ byzantineRounds: -1 })).toThrow(/byzantineRounds/)
    expect(() => resolveParams({ maxVoteBytes: 0 })).toThrow(/maxVoteBytes/)
  })

  it('refuses an admission deadline after finalMs, naming both sides', () => {
    // end + 1000 + 4 × 500 = end + 3000: finalMs 3000 is the tightest that works
    expect(resolveParams({ epochMs: 5000, finalMs: 3000 }).finalMs).toBe(3000)
    const err = catchOf(() => resolveParams({ epochMs: 5000, finalMs: 2999 }))
    expect(err).toBeInstanceOf(ParamsError)
    expect(err.message).toMatch(/graceMs \+ \(byzantineRounds \+ 1\) × roundMs .* 3000/)
    expect(err.message).toMatch(/finalMs 2999/)
    expect(() => resolveParams({ graceMs: 15_000, finalMs: 30_000 })).toThrow(/finalMs 30000/)
    expect(resolveParams({ graceMs: 15_000, finalMs: 30_000, roundMs: 3750 }).roundMs).toBe(3750)
    expect(resolveParams({ graceMs: 15_000, finalMs: 30_000, byzantineRounds: 1 })).toMatchObject({
      roundMs: 7500,
    })
  })
})

function catchOf(run: () => unknown): Error {
  try {
    run()
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a throw')
}
