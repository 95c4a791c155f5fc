import fc from 'fast-check'
import { compare } from 'uint8arrays/compare'
import { describe, expect, it } from 'vitest'
import { DecodeError, InvalidInputError, NonCanonicalError } from '../errors.js'
import type { Vote, VoteEvidence } from '../types.js'
import { decodeVote, encodeBareVote, encodeVote } from './codec.js'
import * as wire from './wire.js'

/** Vote field 11, evidence: its one compact encoding (wire/evidence.ts). */

const vote: Vote = {
  network: 'default',
  origin: new Uint8Array([0, 36, 8, 1, 18, 32, ...new Array(32).fill(7)]),
  epoch: 352_840_320,
  digest: new Uint8Array(32).fill(1),
  count: 3,
  beacon: new Uint8Array(32).fill(2),
  timestampMs: 1_764_201_611_000,
  signature: new Uint8Array(64).fill(4),
}
const id = (b: number) => new Uint8Array(32).fill(b)
const voucherBytes = Uint8Array.from(encodeVote({ ...vote, count: 9 }))
const withEvidence = (evidence: VoteEvidence[]): Vote => ({ ...vote, evidence })

/** The vote's wire form with these raw evidence entries (what encodeVote would refuse). */
const rawWith = (evidence: Partial<wire.Evidence>[]) =>
  wire.Vote.encode({
    ...vote,
    epoch: BigInt(vote.epoch),
    timestampMs: BigInt(vote.timestampMs),
    origin: new Uint8Array(vote.origin),
    digest: new Uint8Array(vote.digest),
    beacon: new Uint8Array(vote.beacon),
    signature: new Uint8Array(vote.signature),
    commitsDigest: undefined,
    evidence: evidence.map((e) => ({
      vote: new Uint8Array(0),
      base: 0,
      bitmap: new Uint8Array(0),
      extra: new Uint8Array(0),
      ...e,
    })) as wire.Evidence[],
  })
const cat = (...ids: Uint8Array[]) => new Uint8Array(Buffer.concat(ids))

describe('vote evidence on the wire', () => {
  it('no evidence (absent or empty) is the version-1 encoding, byte for byte', () => {
    const plain = encodeVote(vote)
    expect(encodeVote(withEvidence([]))).toEqual(plain)
    expect(decodeVote(plain)).toEqual(vote)
    expect('evidence' in decodeVote(plain)).toBe(false)
    expect(encodeBareVote(withEvidence([{ ids: [id(1)] }]))).toEqual(plain)
  })

  it('entry 0 holds the own ids; a voucher a bitmap over them plus its extra ids', () => {
    // own: 1 3 5 7 9 11 13 15 17 (9 ids: a 2-byte bitmap); the voucher has 3, 17 and 4
    const own = [17, 3, 5, 7, 9, 11, 13, 15, 1].map(id)
    const bytes = encodeVote(
      withEvidence([{ ids: own }, { vote: voucherBytes, ids: [id(4), id(17), id(3)] }]),
    )
    const m = wire.Vote.decode(bytes)
    expect(m.evidence).toHaveLength(2)
    expect(m.evidence[0]).toEqual({
      vote: new Uint8Array(0),
      base: 0,
      bitmap: new Uint8Array(0),
      extra: cat(...[1, 3, 5, 7, 9, 11, 13, 15, 17].map(id)),
    })
    expect(m.evidence[1]).toEqual({
      vote: voucherBytes,
      base: 1,
      // entry 0 indexes 1 (id 3) and 8 (id 17), MSB first
      bitmap: new Uint8Array([0b0100_0000, 0b1000_0000]),
      extra: cat(id(4)),
    })
    const decoded = decodeVote(bytes)
    expect(decoded.evidence).toEqual([
      { ids: [1, 3, 5, 7, 9, 11, 13, 15, 17].map(id) },
      { vote: voucherBytes, ids: [3, 4, 17].map(id) },
    ])
    expect(encodeVote(decoded)).toEqual(bytes)
    // evidence lies after the signature, outside it: the bare vote is a prefix
    expect(bytes.subarray(0, encodeVote(vote).length)).toEqual(encodeVote(vote))
  })

  it('round-trips any evidence, ids normalised to ascending order', () => {
    const idArb = fc.uint8Array({ minLength: 32, maxLength: 32 })
    const idsArb = fc.uniqueArray(idArb, {
      maxLength: 20,
      selector: (x) => Buffer.from(x).toString('hex'),
    })
    const evidenceArb = idsArb.chain((own) =>
      fc.tuple(
        fc.constant(own),
        fc.array(
          fc.tuple(
            fc.uint8Array({ minLength: 1, maxLength: 40 }),
            fc.subarray(own),
            fc.uniqueArray(idArb, {
              maxLength: 4,
              selector: (x) => Buffer.from(x).toString('hex'),
            }),
          ),
          { maxLength: 9 },
        ),
      ),
    )
    fc.assert(
      fc.property(evidenceArb, ([own, vouchers]) => {
        const hex = new Set(own.map((x) => Buffer.from(x).toString('hex')))
        const evidence: VoteEvidence[] = [
          { ids: own },
          ...vouchers.map(([v, mine, extra]) => ({
            vote: v,
            ids: [...mine, ...extra.filter((x) => !hex.has(Buffer.from(x).toString('hex')))],
          })),
        ]
        const bytes = encodeVote(withEvidence(evidence))
        const decoded = decodeVote(bytes)
        expect(decoded.evidence).toEqual(
          evidence.map((e) => ({ ...e, ids: [...e.ids].sort(compare) })),
        )
        expect(encodeVote(decoded)).toEqual(bytes)
      }),
      { numRuns: 200 },
    )
  })

  it('refuses to encode what has no encoding', () => {
    const bad: Array<[VoteEvidence[], RegExp]> = [
      [[{ vote: voucherBytes, ids: [] }], /entry 0 .* no vote/],
      [[{ ids: [] }, { ids: [id(1)] }], /entry 1 is a voucher/],
      [[{ ids: [id(1), id(1)] }], /repeats an id/],
      [[{ ids: [new Uint8Array(31)] }], /31 bytes/],
    ]
    for (const [evidence, message] of bad) {
      expect(() => encodeVote(withEvidence(evidence))).toThrow(InvalidInputError)
      expect(() => encodeVote(withEvidence(evidence))).toThrow(message)
    }
  })

  it('refuses every other shape on decode', () => {
    const own = { extra: cat(id(1), id(2), id(3)) }
    const voucher = { vote: voucherBytes, base: 1, bitmap: new Uint8Array([0b1010_0000]) }
    // sanity: the base case decodes
    expect(decodeVote(rawWith([own, voucher])).evidence?.[1]?.ids).toEqual([id(1), id(3)])
    const decodeErrors: Array<[Partial<wire.Evidence>[], RegExp]> = [
      [[{ ...own, vote: voucherBytes }], /entry 0/],
      [[{ ...own, base: 1 }], /entry 0/],
      [[{ ...own, bitmap: new Uint8Array(1) }], /entry 0/],
      [[{ extra: new Uint8Array(33) }], /multiple of 32/],
      [[own, { ...voucher, vote: new Uint8Array(0) }], /without its vote/],
      [[own, { ...voucher, base: 0 }], /base 0/],
      [[own, { ...voucher, base: 2 }], /base 2/],
      [[own, { ...voucher, bitmap: new Uint8Array(2) }], /2-byte bitmap over 3 ids/],
      [[own, { ...voucher, bitmap: new Uint8Array(0) }], /0-byte bitmap/],
      [[own, { ...voucher, extra: new Uint8Array(31) }], /multiple of 32/],
    ]
    for (const [entries, message] of decodeErrors) {
      const bytes = rawWith(entries)
      expect(() => decodeVote(bytes)).toThrow(DecodeError)
      expect(() => decodeVote(bytes)).toThrow(message)
    }
    const nonCanonical: Array<[Partial<wire.Evidence>[], RegExp]> = [
      [[{ extra: cat(id(2), id(1)) }], /out of order/],
      [[{ extra: cat(id(1), id(1)) }], /out of order or repeated/],
      [[own, { ...voucher, bitmap: new Uint8Array([0b1010_0001]) }], /padding/],
      [[own, { ...voucher, extra: cat(id(5), id(4)) }], /out of order/],
      [[own, { ...voucher, extra: cat(id(2)) }], /belongs in the bitmap/],
    ]
    for (const [entries, message] of nonCanonical) {
      const bytes = rawWith(entries)
      expect(() => decodeVote(bytes)).toThrow(NonCanonicalError)
      expect(() => decodeVote(bytes)).toThrow(message)
    }
  })

  it('any change to an evidence-bearing vote decodes to the same bytes or is refused', () => {
    const bytes = encodeVote(
      withEvidence([
        { ids: [1, 2, 3, 4, 5, 6, 7, 8, 9].map(id) },
        { vote: voucherBytes, ids: [2, 9, 10].map(id) },
        { vote: encodeVote({ ...vote, count: 1 }), ids: [] },
      ]),
    )
    const edit = fc.oneof(
      fc.record({
        kind: fc.constant('flip' as const),
        at: fc.nat(),
        bit: fc.integer({ min: 0, max: 7 }),
      }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        byte: fc.integer({ min: 0, max: 255 }),
      }),
    )
    fc.assert(
      fc.property(edit, (e) => {
        const at = e.at % bytes.length
        let changed: Uint8Array
        if (e.kind === 'flip') {
          changed = Uint8Array.from(bytes)
          changed[at] = (changed[at] as number) ^ (1 << e.bit)
        } else if (e.kind === 'cut') changed = bytes.slice(0, at)
        else changed = cat(bytes.subarray(0, at), Uint8Array.of(e.byte), bytes.subarray(at))
        let decoded: Vote
        try {
          decoded = decodeVote(changed)
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError)
          return
        }
        expect(encodeVote(decoded)).toEqual(changed)
      }),
      { numRuns: 500 },
    )
  })
})
