import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CompactContribution } from '../compact.js'
import { DecodeError } from '../errors.js'
import { contributionId, toHex } from '../signing.js'
import type { Contribution } from '../types.js'
import { decodeContribution, encodeContribution } from './codec.js'
import { readTrustedContribution } from './trusted.js'

/** Any contribution the encoder takes (signature bytes need not verify here). */
const contributionArb: fc.Arbitrary<Contribution> = fc.record({
  network: fc.string({ minLength: 1, maxLength: 40 }),
  origin: fc.uint8Array({ minLength: 1, maxLength: 40 }),
  seq: fc.maxSafeNat(),
  epoch: fc.maxSafeNat(),
  timestampMs: fc.maxSafeNat(),
  bitLength: fc.nat({ max: 0xffff_ffff }),
  bits: fc.uint8Array({ maxLength: 300 }),
  signature: fc.uint8Array({ minLength: 1, maxLength: 64 }),
})

describe('readTrustedContribution', () => {
  it('reads exactly what decodeContribution decodes from canonical bytes', () => {
    fc.assert(
      fc.property(contributionArb, (c) => {
        const bytes = encodeContribution(c)
        expect(readTrustedContribution(bytes)).toEqual(decodeContribution(bytes))
      }),
    )
  })

  it('every strict prefix of an encoding is refused with a DecodeError', () => {
    fc.assert(
      fc.property(contributionArb, fc.nat(), (c, cut) => {
        const bytes = encodeContribution(c)
        const prefix = bytes.subarray(0, cut % bytes.length)
        expect(() => readTrustedContribution(prefix)).toThrow(DecodeError)
      }),
    )
  })

  it('refuses an unknown field, a wrong wire type and a varint above 2^53 - 1', () => {
    const ok = encodeContribution({
      network: 'n',
      origin: Uint8Array.of(1),
      seq: 1,
      epoch: 2,
      timestampMs: 3,
      bitLength: 8,
      bits: Uint8Array.of(0xaa),
      signature: Uint8Array.of(9),
    })
    expect(() => readTrustedContribution(new Uint8Array([...ok, 0x48, 0x01]))).toThrow(DecodeError)
    expect(() => readTrustedContribution(new Uint8Array([...ok, 0x1a, 0x00]))).toThrow(DecodeError)
    const huge = [0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]
    expect(() => readTrustedContribution(new Uint8Array([...ok, ...huge]))).toThrow(DecodeError)
  })
})

describe('CompactContribution', () => {
  it('gives back the contribution and id it was made from, from its bytes alone', () => {
    fc.assert(
      fc.property(contributionArb, (c) => {
        const bytes = encodeContribution(c)
        const id = contributionId(c)
        const compact = new CompactContribution(toHex(id), toHex(c.origin), bytes)
        expect(compact.contribution).toEqual(decodeContribution(bytes))
        expect(compact.id).toEqual(id)
        // a view of the very bytes it was given, not a copy
        expect(compact.bytes).toEqual(bytes)
        expect(compact.bytes.buffer).toBe(bytes.buffer)
      }),
      { numRuns: 50 },
    )
  })

  it('hands a contribution decoded by its maker to the first access only', () => {
    const c = decodeContribution(
      encodeContribution({
        network: 'n',
        origin: Uint8Array.of(1),
        seq: 1,
        epoch: 2,
        timestampMs: 3,
        bitLength: 8,
        bits: Uint8Array.of(0xaa),
        signature: Uint8Array.of(9),
      }),
    )
    const bytes = encodeContribution(c)
    const compact = new CompactContribution(toHex(contributionId(c)), '01', bytes, c)
    expect(compact.contribution).toBe(c)
    const again = compact.contribution
    expect(again).not.toBe(c)
    expect(again).toEqual(c)
  })
})
