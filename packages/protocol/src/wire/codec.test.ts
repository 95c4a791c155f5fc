import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DecodeError, InvalidInputError, NonCanonicalError } from '../errors.js'
import type { Contribution, Vote } from '../types.js'
import { decodeContribution, decodeVote, encodeContribution, encodeVote } from './codec.js'
import * as wire from './wire.js'

const u64 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })
const u32 = fc.integer({ min: 0, max: 0xffff_ffff })
const bytes = (minLength = 0, maxLength = 64) => fc.uint8Array({ minLength, maxLength })
const network = fc.string({ minLength: 1, maxLength: 32, unit: 'binary' }).filter(
  // lone surrogates do not survive UTF-8, so they cannot round-trip through any encoding
  (s) => s.isWellFormed(),
)

const contributionArb: fc.Arbitrary<Contribution> = fc.record({
  network,
  origin: bytes(1, 40),
  seq: u64,
  epoch: u64,
  timestampMs: u64,
  bitLength: u32,
  bits: bytes(0, 1100),
  signature: bytes(1, 64),
})

const voteArb: fc.Arbitrary<Vote> = fc.record({
  network,
  origin: bytes(1, 40),
  epoch: u64,
  digest: bytes(0, 32),
  count: u32,
  beacon: bytes(0, 32),
  timestampMs: u64,
  signature: bytes(1, 64),
})

const sample: Contribution = {
  network: 'default',
  origin: new Uint8Array([0, 36, 8, 1, 18, 32, ...new Array(32).fill(7)]),
  seq: 9,
  epoch: 352_840_320,
  timestampMs: 1_764_201_600_123,
  bitLength: 12,
  bits: new Uint8Array([0xab, 0xc0]),
  signature: new Uint8Array(64).fill(3),
}

const sampleVote: Vote = {
  network: 'default',
  origin: sample.origin,
  epoch: 352_840_320,
  digest: new Uint8Array(32).fill(1),
  count: 3,
  beacon: new Uint8Array(32).fill(2),
  timestampMs: 1_764_201_611_000,
  signature: new Uint8Array(64).fill(4),
}

/** The sample as protons' own message type, to write encodings encode() would refuse. */
const rawSample = (): wire.Contribution => ({
  ...sample,
  origin: new Uint8Array(sample.origin),
  bits: new Uint8Array(sample.bits),
  signature: new Uint8Array(sample.signature),
  seq: 1n,
  epoch: 1n,
  timestampMs: 1n,
})

const rawVote = (): wire.Vote => ({
  ...sampleVote,
  origin: new Uint8Array(sampleVote.origin),
  digest: new Uint8Array(sampleVote.digest),
  beacon: new Uint8Array(sampleVote.beacon),
  signature: new Uint8Array(sampleVote.signature),
  epoch: 1n,
  timestampMs: 1n,
  commitsDigest: new Uint8Array(0),
  commitCount: 0,
  evidence: [],
})

/** Runs `fn`; passes when it returns or throws DecodeError, fails on any other throw. */
function decodesOrThrowsDecodeError(fn: () => unknown): boolean {
  try {
    fn()
    return true
  } catch (err) {
    if (err instanceof DecodeError) return true
    throw err
  }
}

describe('contribution codec', () => {
  it('round-trips every representable contribution', () => {
    fc.assert(
      fc.property(contributionArb, (c) => {
        expect(decodeContribution(encodeContribution(c))).toEqual(c)
      }),
    )
  })

  // protons-runtime 7.1.2 wrote these (signed low word) as a broken varint: every vote and
  // contribution of a network with 411–821 ms epochs was refused (patches/protons-runtime…)
  it('round-trips uint64 values in 2^31…2^32-1 (epoch numbers of 411–821 ms epochs)', () => {
    const high32 = fc.integer({ min: 2 ** 31, max: 2 ** 32 - 1 })
    fc.assert(
      fc.property(high32, high32, (epoch, seq) => {
        const c = { ...sample, epoch, seq }
        expect(decodeContribution(encodeContribution(c))).toEqual(c)
        const v = { ...sampleVote, epoch }
        expect(decodeVote(encodeVote(v))).toEqual(v)
      }),
    )
  })

  it('decodes arbitrary bytes to a value or a DecodeError, nothing else', () => {
    fc.assert(
      fc.property(bytes(0, 300), (b) => decodesOrThrowsDecodeError(() => decodeContribution(b))),
      { numRuns: 2000 },
    )
  })

  it('decodes corrupted encodings to a value or a DecodeError, nothing else', () => {
    // random bytes rarely look like protobuf; damaging real encodings reaches deeper
    const damaged = fc
      .tuple(contributionArb, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }))
      .map(([c, cut, at, value]) => {
        const enc = encodeContribution(c)
        const out = enc.slice(0, enc.length - (cut % Math.min(enc.length, 8)))
        if (out.length > 0) out[at % out.length] = value
        return out
      })
    fc.assert(
      fc.property(damaged, (b) => decodesOrThrowsDecodeError(() => decodeContribution(b))),
      { numRuns: 2000 },
    )
  })

  it('refuses input above maxBytes before parsing it', () => {
    const enc = encodeContribution(sample)
    expect(decodeContribution(enc, { maxBytes: enc.length })).toEqual(sample)
    expect(() => decodeContribution(enc, { maxBytes: enc.length - 1 })).toThrow(DecodeError)
    expect(() => decodeContribution(enc, { maxBytes: enc.length - 1 })).toThrow(/above the limit/)
  })

  it('refuses truncated input', () => {
    const enc = encodeContribution(sample)
    expect(() => decodeContribution(enc.subarray(0, enc.length - 1))).toThrow(DecodeError)
  })

  it('refuses uint64 values above 2^53 - 1 and accepts 2^53 - 1', () => {
    const base = rawSample()
    for (const field of ['seq', 'epoch', 'timestampMs'] as const) {
      const max = wire.Contribution.encode({ ...base, [field]: BigInt(Number.MAX_SAFE_INTEGER) })
      expect(decodeContribution(max)[field]).toBe(Number.MAX_SAFE_INTEGER)
      const over = wire.Contribution.encode({ ...base, [field]: 2n ** 53n })
      expect(() => decodeContribution(over)).toThrow(DecodeError)
      const top = wire.Contribution.encode({ ...base, [field]: 2n ** 64n - 1n })
      expect(() => decodeContribution(top)).toThrow(/above 2\^53 - 1/)
    }
  })

  it('refuses a message without network, origin or signature', () => {
    for (const field of ['network', 'origin', 'signature'] as const) {
      const empty = field === 'network' ? '' : new Uint8Array(0)
      const enc = wire.Contribution.encode({ ...rawSample(), [field]: empty })
      expect(() => decodeContribution(enc)).toThrow(new RegExp(`has no ${field}`))
    }
  })

  it('refuses unknown fields: a message has one encoding, hence one gossip message id', () => {
    const enc = encodeContribution(sample)
    // field 15, varint 1 and field 16, length-delimited "hi"
    const extended = new Uint8Array([...enc, 0x78, 0x01, 0x82, 0x01, 0x02, 0x68, 0x69])
    expect(() => decodeContribution(extended)).toThrow(NonCanonicalError)
  })

  it('returns copies, not views into the input buffer', () => {
    const enc = encodeContribution(sample)
    const decoded = decodeContribution(enc)
    enc.fill(0xff)
    expect(decoded).toEqual(sample)
  })

  it('refuses to encode values the wire cannot carry', () => {
    const bad: Array<[Partial<Contribution>, RegExp]> = [
      [{ seq: -1 }, /seq must be/],
      [{ epoch: 1.5 }, /epoch must be/],
      [{ timestampMs: 2 ** 53 }, /timestampMs must be/],
      [{ bitLength: 2 ** 32 }, /bitLength must be/],
      [{ network: '' }, /has no network/],
      [{ origin: new Uint8Array(0) }, /has no origin/],
      [{ signature: new Uint8Array(0) }, /has no signature/],
    ]
    for (const [patch, message] of bad) {
      expect(() => encodeContribution({ ...sample, ...patch })).toThrow(InvalidInputError)
      expect(() => encodeContribution({ ...sample, ...patch })).toThrow(message)
    }
  })
})

describe('vote codec', () => {
  it('round-trips every representable vote', () => {
    fc.assert(
      fc.property(voteArb, (v) => {
        expect(decodeVote(encodeVote(v))).toEqual(v)
      }),
    )
  })

  it('decodes arbitrary bytes to a value or a DecodeError, nothing else', () => {
    fc.assert(
      fc.property(bytes(0, 300), (b) => decodesOrThrowsDecodeError(() => decodeVote(b))),
      { numRuns: 2000 },
    )
  })

  it('refuses input above maxBytes, uint64 overflow and missing fields', () => {
    const enc = encodeVote(sampleVote)
    expect(decodeVote(enc, { maxBytes: enc.length })).toEqual(sampleVote)
    expect(() => decodeVote(enc, { maxBytes: enc.length - 1 })).toThrow(DecodeError)
    const raw = rawVote()
    expect(() => decodeVote(wire.Vote.encode({ ...raw, epoch: 2n ** 53n }))).toThrow(DecodeError)
    expect(() => decodeVote(wire.Vote.encode({ ...raw, timestampMs: 2n ** 60n }))).toThrow(
      DecodeError,
    )
    expect(() => decodeVote(wire.Vote.encode({ ...raw, network: '' }))).toThrow(/has no network/)
    expect(() => decodeVote(wire.Vote.encode({ ...raw, origin: new Uint8Array(0) }))).toThrow(
      /has no origin/,
    )
    expect(() => decodeVote(wire.Vote.encode({ ...raw, signature: new Uint8Array(0) }))).toThrow(
      /has no signature/,
    )
  })

  it('keeps an empty beacon and a zero count (an empty epoch)', () => {
    const empty = { ...sampleVote, count: 0, beacon: new Uint8Array(0) }
    expect(decodeVote(encodeVote(empty))).toEqual(empty)
  })
})
