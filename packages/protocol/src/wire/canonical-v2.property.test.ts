import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DecodeError, InvalidInputError } from '../errors.js'
import type { Commit, RecoveryMessage, Reveal } from '../types.js'
import {
  commitBytes,
  nowMs,
  params,
  recoveryBytes,
  revealBytes,
  signedCommit,
  signedReveal,
  recovery as wellFormedRecovery,
} from '../v2.fixtures.js'
import { validateCommit, validateRecovery, validateReveal } from '../validate-v2.js'
import type { DecodeOptions } from './codec-rules.js'
import {
  decodeCommit,
  decodeRecovery,
  decodeReveal,
  encodeCommit,
  encodeRecovery,
  encodeReveal,
} from './codec-v2.js'
import { defectArb, type Field, isZero, spoil, text, write } from './protobuf.fixtures.js'

/**
 * Version 2's messages keep version 1's one-encoding rule (canonical.property.test.ts):
 * the independent writer of protobuf.fixtures.ts agrees with protons, every spoiled copy
 * is refused, and no input makes a decoder throw anything but a DecodeError or return a
 * message whose encoding is not that input.
 */

const u64 = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }))
const bytes = (minLength: number, maxLength: number) => fc.uint8Array({ minLength, maxLength })
const network = fc.string({ minLength: 1, maxLength: 16 }).filter((s) => s.isWellFormed())
// group elements are 256 bytes; shorter ones keep the runs fast and the codec does not care
const element = fc.oneof(bytes(0, 8), bytes(256, 256))

const commitArb: fc.Arbitrary<Commit> = fc.record({
  network,
  origin: bytes(1, 40),
  epoch: u64,
  c: element,
  timestampMs: u64,
  signature: bytes(1, 64),
})

const revealArb: fc.Arbitrary<Reveal> = fc.record({
  network,
  origin: bytes(1, 40),
  epoch: u64,
  alpha: fc.oneof(bytes(0, 8), bytes(272, 272)),
  signature: bytes(1, 64),
})

const recoveryArb: fc.Arbitrary<RecoveryMessage> = fc.record({
  network,
  epoch: u64,
  commitsDigest: bytes(0, 32),
  withheld: fc.array(bytes(0, 40), { maxLength: 4 }),
  y: element,
  proof: element,
})

const commitFields = (c: Commit): Field[] => [
  { no: 1, wt: 2, value: text.encode(c.network) },
  { no: 2, wt: 2, value: c.origin },
  { no: 3, wt: 0, value: BigInt(c.epoch) },
  { no: 4, wt: 2, value: c.c },
  { no: 5, wt: 0, value: BigInt(c.timestampMs) },
  { no: 6, wt: 2, value: c.signature },
]

const revealFields = (r: Reveal): Field[] => [
  { no: 1, wt: 2, value: text.encode(r.network) },
  { no: 2, wt: 2, value: r.origin },
  { no: 3, wt: 0, value: BigInt(r.epoch) },
  { no: 4, wt: 2, value: r.alpha },
  { no: 5, wt: 2, value: r.signature },
]

const recoveryFields = (r: RecoveryMessage): Field[] => [
  { no: 1, wt: 2, value: text.encode(r.network) },
  { no: 2, wt: 0, value: BigInt(r.epoch) },
  { no: 3, wt: 2, value: r.commitsDigest },
  ...r.withheld.map((origin): Field => ({ no: 4, wt: 2, value: origin, repeated: true })),
  { no: 5, wt: 2, value: r.y },
  { no: 6, wt: 2, value: r.proof },
]

interface Codec<M> {
  name: string
  arb: fc.Arbitrary<M>
  fields: (m: M) => Field[]
  lastField: number
  encode: (m: M) => Uint8Array
  decode: (b: Uint8Array, opts?: DecodeOptions) => M
}

const codecs = [
  {
    name: 'Commit',
    arb: commitArb,
    fields: commitFields,
    lastField: 6,
    encode: encodeCommit,
    decode: decodeCommit,
  },
  {
    name: 'Reveal',
    arb: revealArb,
    fields: revealFields,
    lastField: 5,
    encode: encodeReveal,
    decode: decodeReveal,
  },
  {
    name: 'Recovery',
    arb: recoveryArb,
    fields: recoveryFields,
    lastField: 6,
    encode: encodeRecovery,
    decode: decodeRecovery,
  },
] as Codec<unknown>[]

/** Decoding `input` throws a DecodeError, or gives a message whose encoding is `input`. */
function decodesOnlyCanonically<M>(codec: Codec<M>, input: Uint8Array): M | undefined {
  let decoded: M
  try {
    decoded = codec.decode(input)
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError)
    return undefined
  }
  expect(codec.encode(decoded)).toEqual(input)
  return decoded
}

interface Mutation {
  at: number
  op: 'flip' | 'insert' | 'delete'
  byte: number
}

/** Byte-level mutations of a valid encoding: they get past the parser more often than noise. */
const mutationArb: fc.Arbitrary<Mutation[]> = fc.array(
  fc.record({
    at: fc.nat(),
    op: fc.constantFrom('flip' as const, 'insert' as const, 'delete' as const),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  { minLength: 1, maxLength: 4 },
)

function mutate(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  const out = [...input]
  for (const { at, op, byte } of mutations) {
    const i = out.length === 0 ? 0 : at % out.length
    if (op === 'flip') out[i] = ((out[i] ?? 0) ^ (byte || 1)) & 0xff
    else if (op === 'insert') out.splice(i, 0, byte)
    else out.splice(i, 1)
  }
  return new Uint8Array(out)
}

for (const codec of codecs)
  describe(`${codec.name}: one canonical encoding`, () => {
    it('round trip: decode(encode(m)) = m, and the independent writer agrees', () => {
      fc.assert(
        fc.property(codec.arb, (m) => {
          const enc = codec.encode(m)
          expect(write(codec.fields(m).filter((f) => !isZero(f)))).toEqual(enc)
          expect(codec.decode(enc)).toEqual(m)
        }),
      )
    })

    it('unknown, duplicated, reordered, explicit-zero fields and overlong varints are refused', () => {
      fc.assert(
        fc.property(codec.arb, defectArb(codec.lastField), (m, d) => {
          const bad = spoil(codec.fields(m), d)
          if (bad === undefined) return
          expect(bad).not.toEqual(codec.encode(m))
          const other = decodesOnlyCanonically(codec, bad)
          // only a recovery's repeated withheld field can turn a defect into another message
          // (an entry more, or two swapped): another message, never another encoding of m
          if (other !== undefined) {
            expect(codec.name).toBe('Recovery')
            expect(other).not.toEqual(m)
          }
        }),
        { numRuns: 300 },
      )
    })

    it('fuzzed bytes: a DecodeError, or a message that re-encodes to exactly them', () => {
      fc.assert(
        fc.property(bytes(0, 600), (input) => {
          decodesOnlyCanonically(codec, input)
        }),
        { numRuns: 300 },
      )
      fc.assert(
        fc.property(codec.arb, mutationArb, (m, mutations) => {
          decodesOnlyCanonically(codec, mutate(codec.encode(m), mutations))
        }),
        { numRuns: 300 },
      )
    })

    it('refuses input above maxBytes before parsing it', () => {
      fc.assert(
        fc.property(codec.arb, (m) => {
          const enc = codec.encode(m)
          expect(() => codec.decode(enc, { maxBytes: enc.length - 1 })).toThrow(/above the limit/)
          expect(() => codec.decode(enc, { maxBytes: enc.length })).not.toThrow()
        }),
        { numRuns: 20 },
      )
    })
  })

describe('encoders refuse what the decoders would', () => {
  it('no network, origin or signature; a uint64 beyond 2^53 - 1', async () => {
    const c = await signedCommit()
    const r = await signedReveal()
    for (const field of ['network', 'origin', 'signature'] as const) {
      const empty = field === 'network' ? '' : new Uint8Array(0)
      expect(() => encodeCommit({ ...c, [field]: empty })).toThrow(InvalidInputError)
      expect(() => encodeReveal({ ...r, [field]: empty })).toThrow(InvalidInputError)
    }
    expect(() => encodeRecovery({ ...wellFormedRecovery(), network: '' })).toThrow(
      InvalidInputError,
    )
    expect(() => encodeCommit({ ...c, epoch: 2 ** 53 })).toThrow(InvalidInputError)
    expect(() => encodeReveal({ ...r, epoch: -1 })).toThrow(InvalidInputError)
    expect(() => encodeRecovery({ ...wellFormedRecovery(), epoch: 0.5 })).toThrow(InvalidInputError)
  })

  it('decoders refuse a uint64 beyond 2^53 - 1', () => {
    // network "a", origin 0x01, epoch (field 3) = 2^53, signature 0x01
    const big = [0x18, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]
    const named = [0x0a, 0x01, 0x61]
    expect(() =>
      decodeCommit(new Uint8Array([...named, 0x12, 0x01, 0x01, ...big, 0x32, 0x01, 0x01])),
    ).toThrow(/above 2\^53/)
  })
})

describe('validation never accepts a second encoding of a genuine message', () => {
  const refusedAs = (r: { verdict: string; reason?: string }, reasons: string[]) => {
    expect(r.verdict).toBe('reject')
    expect(reasons).toContain(r.reason)
  }
  const decodeReasons = ['NON_CANONICAL', 'DECODE']

  it('the genuine messages are accepted, and every spoiled copy refused', async () => {
    const ctxCommit = {
      params,
      nowMs,
      seen: () => false,
      isClosed: () => false,
      isFinal: () => false,
    }
    const ctx = { params, nowMs }
    const commit = decodeCommit(await commitBytes())
    const reveal = decodeReveal(await revealBytes())
    const recovery = decodeRecovery(recoveryBytes())
    expect(validateCommit(encodeCommit(commit), ctxCommit).verdict).toBe('accept')
    expect(validateReveal(encodeReveal(reveal), ctx).verdict).toBe('accept')
    expect(validateRecovery(encodeRecovery(recovery), ctx).verdict).toBe('accept')
    fc.assert(
      fc.property(defectArb(6), (d) => {
        const badC = spoil(commitFields(commit), d)
        if (badC !== undefined) refusedAs(validateCommit(badC, ctxCommit), decodeReasons)
        const badR = spoil(revealFields(reveal), d)
        if (badR !== undefined) refusedAs(validateReveal(badR, ctx), decodeReasons)
        // a withheld entry more, empty or out of order, is refused as such
        const badM = spoil(recoveryFields(recovery), d)
        if (badM !== undefined)
          refusedAs(validateRecovery(badM, ctx), [
            ...decodeReasons,
            'WITHHELD_EMPTY',
            'WITHHELD_ORDER',
          ])
      }),
      { numRuns: 300 },
    )
  })
})
