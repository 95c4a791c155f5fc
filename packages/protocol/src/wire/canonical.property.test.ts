import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { resolveParams } from '../config.js'
import { DecodeError } from '../errors.js'
import { originOf, signContribution, signVote } from '../signing.js'
import type { Contribution, Vote } from '../types.js'
import { validateContribution, validateVote } from '../validate.js'
import { decodeContribution, decodeVote, encodeContribution, encodeVote } from './codec.js'

/**
 * Canonical encoding (docs/PROTOCOL.md, "Canonical encoding and message ids"): protons'
 * output is the only accepted encoding. A small independent protobuf writer lays out the
 * same fields, first canonically (it must match protons byte for byte), then with one
 * defect of the kinds a forger could use to give a genuine message a second message id.
 */

type Field = { no: number; wt: 0 | 2; value: bigint | Uint8Array }
const text = new TextEncoder()

function varint(v: bigint, extra = 0): number[] {
  const out: number[] = []
  do {
    out.push(Number(v & 0x7fn))
    v >>= 7n
  } while (v > 0n)
  // a non-minimal varint: the same value followed by `extra` zero 7-bit groups
  for (let i = 0; i < extra; i++) out.push(0)
  for (let i = 0; i < out.length - 1; i++) out[i] = (out[i] as number) | 0x80
  return out
}

interface Overlong {
  field: number
  part: 'tag' | 'value'
  extra: number
}

function write(fields: Field[], overlong?: Overlong): Uint8Array {
  const out: number[] = []
  fields.forEach((f, i) => {
    const pad = (part: Overlong['part']) =>
      overlong?.field === i && overlong.part === part ? overlong.extra : 0
    out.push(...varint(BigInt((f.no << 3) | f.wt), pad('tag')))
    if (f.wt === 0) out.push(...varint(f.value as bigint, pad('value')))
    else {
      const bytes = f.value as Uint8Array
      out.push(...varint(BigInt(bytes.length), pad('value')), ...bytes)
    }
  })
  return new Uint8Array(out)
}

const isZero = (f: Field) => (f.wt === 0 ? f.value === 0n : (f.value as Uint8Array).length === 0)

function contributionFields(c: Contribution): Field[] {
  return [
    { no: 1, wt: 2, value: text.encode(c.network) },
    { no: 2, wt: 2, value: c.origin },
    { no: 3, wt: 0, value: BigInt(c.seq) },
    { no: 4, wt: 0, value: BigInt(c.epoch) },
    { no: 5, wt: 0, value: BigInt(c.timestampMs) },
    { no: 6, wt: 0, value: BigInt(c.bitLength) },
    { no: 7, wt: 2, value: c.bits },
    { no: 8, wt: 2, value: c.signature },
  ]
}

function voteFields(v: Vote): Field[] {
  return [
    { no: 1, wt: 2, value: text.encode(v.network) },
    { no: 2, wt: 2, value: v.origin },
    { no: 3, wt: 0, value: BigInt(v.epoch) },
    { no: 4, wt: 2, value: v.digest },
    { no: 5, wt: 0, value: BigInt(v.count) },
    { no: 6, wt: 2, value: v.beacon },
    { no: 7, wt: 0, value: BigInt(v.timestampMs) },
    { no: 8, wt: 2, value: v.signature },
    { no: 9, wt: 2, value: v.commitsDigest ?? new Uint8Array(0) },
    { no: 10, wt: 0, value: BigInt(v.commitCount ?? 0) },
  ]
}

/** One way to spoil a canonical field list; each yields bytes that differ from it. */
type Defect =
  | { kind: 'unknown'; field: Field; at: number }
  | { kind: 'duplicate'; which: number; at: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'explicitZero'; no: number }
  | { kind: 'overlong'; which: number; part: 'tag' | 'value'; extra: number }

// fields 9 and 10 are a vote's commit set, 11 its evidence (wire/evidence.test.ts checks
// its one encoding)
const unknownNo = fc.integer({ min: 9, max: 2000 }).filter((no) => no > 11)

const defectArb: fc.Arbitrary<Defect> = fc.oneof(
  fc.record({
    kind: fc.constant('unknown' as const),
    field: fc.oneof(
      fc.record({
        no: unknownNo,
        wt: fc.constant(0 as const),
        value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      }),
      fc.record({
        no: unknownNo,
        wt: fc.constant(2 as const),
        value: fc.uint8Array({ maxLength: 8 }),
      }),
    ),
    at: fc.nat(),
  }),
  fc.record({ kind: fc.constant('duplicate' as const), which: fc.nat(), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('explicitZero' as const), no: fc.integer({ min: 1, max: 10 }) }),
  fc.record({
    kind: fc.constant('overlong' as const),
    which: fc.nat(),
    part: fc.constantFrom('tag' as const, 'value' as const),
    extra: fc.integer({ min: 1, max: 3 }),
  }),
)

/** The spoiled encoding, or undefined when the defect does not apply to these fields. */
function spoil(canonical: Field[], d: Defect): Uint8Array | undefined {
  const fields = canonical.filter((f) => !isZero(f))
  const n = fields.length
  switch (d.kind) {
    case 'unknown':
      fields.splice(d.at % (n + 1), 0, d.field)
      return write(fields)
    case 'duplicate':
      fields.splice(d.at % (n + 1), 0, fields[d.which % n] as Field)
      return write(fields)
    case 'swap': {
      const a = d.a % n
      const b = d.b % n
      if (a === b) return undefined
      ;[fields[a], fields[b]] = [fields[b] as Field, fields[a] as Field]
      return write(fields)
    }
    case 'explicitZero': {
      if (d.no > canonical.length) return undefined
      const template = canonical[d.no - 1] as Field
      const zero: Field = { ...template, value: template.wt === 0 ? 0n : new Uint8Array(0) }
      const at = fields.findIndex((f) => f.no >= d.no)
      fields.splice(at === -1 ? n : at, 0, zero)
      return write(fields)
    }
    case 'overlong': {
      const which = d.which % n
      const f = fields[which] as Field
      // uint64 varints hold at most 10 bytes; longer is a decode error, also fine
      const longest = f.wt === 0 ? varint(f.value as bigint).length : 1
      if (d.part === 'value' && longest + d.extra > 10) return undefined
      return write(fields, { field: which, part: d.part, extra: d.extra })
    }
  }
}

const u64 = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }))
const u32 = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff_ffff }))
const bytes = (minLength: number, maxLength: number) => fc.uint8Array({ minLength, maxLength })
const network = fc.string({ minLength: 1, maxLength: 16 }).filter((s) => s.isWellFormed())

const contributionArb: fc.Arbitrary<Contribution> = fc.record({
  network,
  origin: bytes(1, 40),
  seq: u64,
  epoch: u64,
  timestampMs: u64,
  bitLength: u32,
  bits: bytes(0, 64),
  signature: bytes(1, 64),
})

const voteArb: fc.Arbitrary<Vote> = fc
  .record({
    network,
    origin: bytes(1, 40),
    epoch: u64,
    digest: bytes(0, 32),
    count: u32,
    beacon: bytes(0, 32),
    timestampMs: u64,
    signature: bytes(1, 64),
  })
  .chain((v) =>
    // version 2's commit-set fields, absent or set (decode leaves empty ones absent)
    fc
      .option(
        fc.record({
          commitsDigest: bytes(1, 32),
          commitCount: fc.integer({ min: 1, max: 0xffff_ffff }),
        }),
        { nil: undefined },
      )
      .map((commits) => ({ ...v, ...commits })),
  )

function expectRefused(decode: () => unknown): void {
  expect(decode).toThrow(DecodeError)
}

describe('canonical encoding: round trip', () => {
  it('encode(decode(encode(c))) = encode(c), and the independent writer agrees', () => {
    fc.assert(
      fc.property(contributionArb, (c) => {
        const enc = encodeContribution(c)
        expect(write(contributionFields(c).filter((f) => !isZero(f)))).toEqual(enc)
        const back = decodeContribution(enc)
        expect(back).toEqual(c)
        expect(encodeContribution(back)).toEqual(enc)
      }),
    )
  })

  it('encode(decode(encode(v))) = encode(v), and the independent writer agrees', () => {
    fc.assert(
      fc.property(voteArb, (v) => {
        const enc = encodeVote(v)
        expect(write(voteFields(v).filter((f) => !isZero(f)))).toEqual(enc)
        const back = decodeVote(enc)
        expect(back).toEqual(v)
        expect(encodeVote(back)).toEqual(enc)
      }),
    )
  })
})

describe('canonical encoding: any other encoding is refused', () => {
  it('contributions: unknown, duplicated, reordered, explicit-zero fields, overlong varints', () => {
    fc.assert(
      fc.property(contributionArb, defectArb, (c, d) => {
        const bad = spoil(contributionFields(c), d)
        if (bad === undefined) return
        expect(bad).not.toEqual(encodeContribution(c))
        expectRefused(() => decodeContribution(bad))
      }),
      { numRuns: 500 },
    )
  })

  it('votes: unknown, duplicated, reordered, explicit-zero fields, overlong varints', () => {
    fc.assert(
      fc.property(voteArb, defectArb, (v, d) => {
        const bad = spoil(voteFields(v), d)
        if (bad === undefined) return
        expect(bad).not.toEqual(encodeVote(v))
        expectRefused(() => decodeVote(bad))
      }),
      { numRuns: 500 },
    )
  })
})

/** One genuine signed contribution and vote, valid under `ctx`, to spoil. */
const params = resolveParams({ network: 'canon' })
const epoch = 352_840_320
const nowMs = epoch * params.epochMs + 1234
const key = await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(5))
const origin = originOf(peerIdFromPrivateKey(key))
// 256 bits of a SHA-256-like pattern that passes the health tests
const bits = Uint8Array.from({ length: 32 }, (_, i) => (i * 167 + 13) & 0xff)
const contribution = await signContribution(key, {
  network: params.network,
  origin,
  seq: 0, // a zero field, so explicit zeros are tried on a field that is really zero
  epoch,
  timestampMs: nowMs,
  bitLength: 256,
  bits,
})
const vote = await signVote(key, {
  network: params.network,
  origin,
  epoch: epoch - 1,
  digest: new Uint8Array(32).fill(9),
  count: 0,
  beacon: new Uint8Array(0),
  timestampMs: nowMs,
})
const ctx = {
  params,
  nowMs,
  seen: () => false,
  countFor: () => 0,
  isClosed: () => false,
  isFinal: () => false,
}

describe('canonical encoding: validation never accepts a second encoding of a valid message', () => {
  it('the genuine messages are accepted', () => {
    expect(validateContribution(encodeContribution(contribution), ctx).verdict).toBe('accept')
    expect(validateVote(encodeVote(vote), { params, nowMs }).verdict).toBe('accept')
  })

  it('every spoiled copy is rejected as NON_CANONICAL or DECODE', () => {
    const refusedAs = (r: { verdict: string; reason?: string }) => {
      expect(r.verdict).toBe('reject')
      expect(['NON_CANONICAL', 'DECODE']).toContain(r.reason)
    }
    fc.assert(
      fc.property(defectArb, (d) => {
        const badC = spoil(contributionFields(contribution), d)
        if (badC !== undefined) refusedAs(validateContribution(badC, ctx))
        const badV = spoil(voteFields(vote), d)
        if (badV !== undefined) refusedAs(validateVote(badV, { params, nowMs }))
      }),
      { numRuns: 500 },
    )
  })
})
