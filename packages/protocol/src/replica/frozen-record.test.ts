import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareIds } from '../epoch.js'
import { DecodeError, InvalidInputError } from '../errors.js'
import {
  decodeFrozenRecord,
  encodeFrozenRecord,
  entryEncoded,
  entryFolded,
  entryId,
  entryOrigin,
  type FrozenRecordInput,
  originOfRecord,
} from './frozen-record.js'

/** Records whose origin counts match their entries (what recordOfEpoch writes). */
const recordArb: fc.Arbitrary<FrozenRecordInput> = fc
  .record({
    network: fc.string({ minLength: 1, maxLength: 12 }),
    epoch: fc.maxSafeNat(),
    cap: fc.integer({ min: 1, max: 1000 }),
    originBytes: fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), {
      minLength: 1,
      maxLength: 4,
    }),
    raw: fc.uniqueArray(
      fc.record({
        id: fc.uint8Array({ minLength: 32, maxLength: 32 }),
        origin: fc.nat(),
        folded: fc.boolean(),
        encoded: fc.uint8Array({ maxLength: 60 }),
      }),
      { selector: (e) => Buffer.from(e.id).toString('hex'), maxLength: 20 },
    ),
    credit: fc.double({ min: 0, max: 1e6, noNaN: true }),
  })
  .map(({ network, epoch, cap, originBytes, raw, credit }) => {
    const entries = raw
      .map((e) => ({ ...e, origin: e.origin % originBytes.length }))
      .sort((a, b) => compareIds(a.id, b.id))
    const origins = originBytes.map((origin, k) => {
      const mine = entries.filter((e) => e.origin === k)
      const folded = mine.filter((e) => e.folded).length
      return {
        origin,
        stored: mine.length,
        folded,
        credited: Math.min(folded, cap),
        credit: folded === 0 ? 0 : credit,
        bits: mine.length * 8,
        newestMs: epoch % 1000,
      }
    })
    return { network, epoch, cap, origins, entries }
  })

describe('frozen epoch records', () => {
  it('decode(encode(x)) gives back every origin figure and entry', () => {
    fc.assert(
      fc.property(recordArb, (input) => {
        const layout = decodeFrozenRecord(encodeFrozenRecord(input))
        expect(layout.network).toBe(input.network)
        expect(layout.epoch).toBe(input.epoch)
        expect(layout.cap).toBe(input.cap)
        expect(layout.folded).toBe(input.entries.filter((e) => e.folded).length)
        const origins = [...layout.originAt.keys()].map((i) => originOfRecord(layout, i))
        expect(origins.map((o) => ({ ...o, origin: [...o.origin] }))).toEqual(
          input.origins.map((o) => ({ ...o, origin: [...o.origin] })),
        )
        const entries = [...layout.entryAt].map((at) => ({
          id: [...entryId(layout.body, at)],
          origin: entryOrigin(layout.body, at),
          folded: entryFolded(layout.body, at),
          encoded: [...entryEncoded(layout.body, at)],
        }))
        expect(entries).toEqual(
          input.entries.map((e) => ({ ...e, id: [...e.id], encoded: [...e.encoded] })),
        )
      }),
    )
  })

  it('any truncation, extension or byte flip either decodes or fails with a DecodeError', () => {
    const mutated = recordArb.chain((input) => {
      const bytes = encodeFrozenRecord(input)
      return fc.oneof(
        fc.nat({ max: bytes.length - 1 }).map((n) => bytes.slice(0, n)),
        fc.uint8Array({ minLength: 1, maxLength: 8 }).map((tail) => {
          const out = new Uint8Array(bytes.length + tail.length)
          out.set(bytes)
          out.set(tail, bytes.length)
          return out
        }),
        fc
          .tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }))
          .map(([at, x]) => {
            const out = bytes.slice()
            out[at] = (out[at] as number) ^ x
            return out
          }),
      )
    })
    fc.assert(
      fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 300 })), (bytes) => {
        try {
          decodeFrozenRecord(bytes)
        } catch (err) {
          expect(err).toBeInstanceOf(DecodeError)
        }
      }),
    )
  })

  it('truncated and extended records are refused', () => {
    fc.assert(
      fc.property(recordArb, fc.nat(), (input, cut) => {
        const bytes = encodeFrozenRecord(input)
        expect(() => decodeFrozenRecord(bytes.slice(0, cut % bytes.length))).toThrow(DecodeError)
        const longer = new Uint8Array(bytes.length + 1)
        longer.set(bytes)
        expect(() => decodeFrozenRecord(longer)).toThrow(DecodeError)
      }),
    )
  })

  it('refuses to encode ids out of order, bad ids or origin indexes', () => {
    const id = (b: number) => new Uint8Array(32).fill(b)
    const base = {
      network: 'n',
      epoch: 3,
      cap: 2,
      origins: [
        { origin: id(9), stored: 2, folded: 0, credited: 0, credit: 0, bits: 0, newestMs: 0 },
      ],
    }
    const entry = (i: Uint8Array, origin = 0) => ({
      id: i,
      origin,
      folded: false,
      encoded: new Uint8Array(1),
    })
    expect(() => encodeFrozenRecord({ ...base, entries: [entry(id(2)), entry(id(1))] })).toThrow(
      InvalidInputError,
    )
    expect(() => encodeFrozenRecord({ ...base, entries: [entry(id(1)), entry(id(1))] })).toThrow(
      InvalidInputError,
    )
    expect(() => encodeFrozenRecord({ ...base, entries: [entry(new Uint8Array(31))] })).toThrow(
      InvalidInputError,
    )
    expect(() => encodeFrozenRecord({ ...base, entries: [entry(id(1), 1)] })).toThrow(
      InvalidInputError,
    )
  })

  it('refuses origin figures that do not match the entries', () => {
    const bytes = encodeFrozenRecord({
      network: 'n',
      epoch: 1,
      cap: 4,
      origins: [
        {
          origin: new Uint8Array([1]),
          stored: 2,
          folded: 1,
          credited: 1,
          credit: 3,
          bits: 16,
          newestMs: 5,
        },
      ],
      entries: [
        { id: new Uint8Array(32).fill(1), origin: 0, folded: true, encoded: new Uint8Array(2) },
        { id: new Uint8Array(32).fill(2), origin: 0, folded: false, encoded: new Uint8Array(2) },
      ],
    })
    expect(decodeFrozenRecord(bytes).folded).toBe(1)
    // the entry count of origin 0 (its `stored` field) says 3 instead of 2
    const stored = bytes.slice()
    const at = 1 + 2 + 1 + 8 + 4 + 4 + 2 + 1
    stored[at + 3] = 3
    expect(() => decodeFrozenRecord(stored)).toThrow(DecodeError)
  })
})
