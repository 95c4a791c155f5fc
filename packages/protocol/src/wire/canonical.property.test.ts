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

import {
  type Defect,
  defectArb,
  type Field,
  isZero,
  spoil,
  text,
  write,
} from './protobuf.fixtures.js'

/**
 * Canonical encoding (docs/PROTOCOL.md, "Canonical encoding and message ids"): protons'
 * output is the only accepted encoding. A small independent protobuf writer
 * (protobuf.fixtures.ts) lays out the same fields, first canonically (it must match
 * protons byte for byte), then with one defect of the kinds a forger could use to give a
 * genuine message a second message id.
 */

// a contribution's fields are 1..8; a vote's 1..11 (9 and 10 its commit set, 11 its
// evidence, whose one encoding wire/evidence.test.ts checks)
const contributionDefect: fc.Arbitrary<Defect> = defectArb(8)
const voteDefect: fc.Arbitrary<Defect> = defectArb(11)

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
      fc.property(contributionArb, contributionDefect, (c, d) => {
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
      fc.property(voteArb, voteDefect, (v, d) => {
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
      fc.property(contributionDefect, voteDefect, (dc, dv) => {
        const badC = spoil(contributionFields(contribution), dc)
        if (badC !== undefined) refusedAs(validateContribution(badC, ctx))
        const badV = spoil(voteFields(vote), dv)
        if (badV !== undefined) refusedAs(validateVote(badV, { params, nowMs }))
      }),
      { numRuns: 500 },
    )
  })
})
