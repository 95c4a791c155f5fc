import { hkdfSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { READY_CREDIT_BITS } from './config.js'
import {
  MAX_DRAW_BYTES,
  NotReadyError,
  type PrivateDrawInput,
  privateDraw,
  sharedDraw,
} from './draws.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const filled = (n: number, v: number) => new Uint8Array(n).fill(v)

const beacon = Uint8Array.from(
  Buffer.from('cc24b7364f0aed0a97f81b90a6e107e68e3b465b427982ce8804a1ef082d8a96', 'hex'),
)

function base(overrides: Partial<PrivateDrawInput> = {}): PrivateDrawInput {
  return {
    network: 'vectors',
    poolState: filled(32, 1),
    osRandom: filled(32, 2),
    counter: 0,
    length: 32,
    creditBits: READY_CREDIT_BITS,
    ...overrides,
  }
}

describe('sharedDraw', () => {
  it('is HKDF-SHA256 with the documented salt and info', () => {
    const info = Buffer.concat([
      Buffer.from([0, 7]),
      Buffer.from('vectors'),
      Buffer.from([0, 0, 0, 0, 0x15, 0x07, 0xea, 0x80]), // u64 352840320
      Buffer.from([0, 0, 0, 0]), // chunk 0
    ])
    const expected = hkdfSync('sha256', beacon, Buffer.from('alara/v1/shared-draw\0'), info, 48)
    expect(hex(sharedDraw(beacon, 352840320, 'vectors', 48))).toBe(
      Buffer.from(expected).toString('hex'),
    )
  })

  it('is deterministic and bound to beacon, epoch and network', () => {
    const a = sharedDraw(beacon, 5, 'n', 32)
    expect(sharedDraw(beacon, 5, 'n', 32)).toEqual(a)
    expect(sharedDraw(beacon, 6, 'n', 32)).not.toEqual(a)
    expect(sharedDraw(beacon, 5, 'm', 32)).not.toEqual(a)
    expect(sharedDraw(filled(32, 0), 5, 'n', 32)).not.toEqual(a)
  })

  it('is one stream: a shorter draw is a prefix of a longer one, across HKDF chunks', () => {
    const long = sharedDraw(beacon, 5, 'n', MAX_DRAW_BYTES)
    expect(long.length).toBe(MAX_DRAW_BYTES)
    for (const n of [1, 31, 8160, 8161, 20_000]) {
      expect(hex(sharedDraw(beacon, 5, 'n', n))).toBe(hex(long.subarray(0, n)))
    }
    // the second chunk is not a repeat of the first
    expect(hex(long.subarray(8160, 8192))).not.toBe(hex(long.subarray(0, 32)))
  })

  it('reads any piece of the stream: [offset, offset + n) equals the same slice of one long draw', () => {
    const long = sharedDraw(beacon, 5, 'n', 3 * 8160 + 17)
    for (const [offset, n] of [
      [0, 1],
      [1, 8159],
      [8159, 2],
      [8160, 8160],
      [5000, 3 * 8160 + 17 - 5000],
      [16_319, 1],
    ] as const) {
      expect(hex(sharedDraw(beacon, 5, 'n', n, offset))).toBe(
        hex(long.subarray(offset, offset + n)),
      )
    }
    // pieces concatenated are the stream, whatever their sizes
    const pieces = [7, 8160, 3, 12_000].reduce<{ at: number; parts: Uint8Array[] }>(
      ({ at, parts }, n) => ({ at: at + n, parts: [...parts, sharedDraw(beacon, 5, 'n', n, at)] }),
      { at: 0, parts: [] },
    )
    expect(hex(Buffer.concat(pieces.parts))).toBe(hex(long.subarray(0, pieces.at)))
    expect(() => sharedDraw(beacon, 5, 'n', 8, -1)).toThrow(/offset/)
  })

  it('refuses lengths outside 1..MAX_DRAW_BYTES and malformed beacons', () => {
    for (const n of [0, -1, 1.5, Number.NaN, MAX_DRAW_BYTES + 1]) {
      expect(() => sharedDraw(beacon, 5, 'n', n)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
      )
    }
    expect(() => sharedDraw(filled(31, 0), 5, 'n', 8)).toThrow(/beacon must be 32 bytes/)
    expect(() => sharedDraw(beacon, -1, 'n', 8)).toThrow(/epoch/)
  })
})

describe('privateDraw', () => {
  it('is HKDF-SHA256 over pool state | OS random with the documented salt and info', () => {
    const info = Buffer.concat([
      Buffer.from([0, 7]),
      Buffer.from('vectors'),
      Buffer.from([0, 0, 0, 1, 0, 0, 0, 9]), // u64 2^32 + 9
      Buffer.from([0, 0, 0, 0]),
    ])
    const ikm = Buffer.concat([filled(32, 1), filled(32, 2)])
    const expected = hkdfSync('sha256', ikm, Buffer.from('alara/v1/private-draw\0'), info, 64)
    expect(hex(privateDraw(base({ counter: 2 ** 32 + 9, length: 64 })))).toBe(
      Buffer.from(expected).toString('hex'),
    )
  })

  it('changes with each source and with the counter', () => {
    const a = privateDraw(base())
    expect(privateDraw(base())).toEqual(a)
    expect(privateDraw(base({ osRandom: filled(32, 3) }))).not.toEqual(a)
    expect(privateDraw(base({ poolState: filled(32, 3) }))).not.toEqual(a)
    expect(privateDraw(base({ counter: 1 }))).not.toEqual(a)
    expect(privateDraw(base({ network: 'other' }))).not.toEqual(a)
  })

  it('is not the shared draw of the same bytes (domain separation)', () => {
    expect(privateDraw(base())).not.toEqual(sharedDraw(filled(32, 1), 0, 'vectors', 32))
  })

  it('refuses before ready with ERR_NOT_READY unless low entropy is allowed', () => {
    const low = base({ creditBits: READY_CREDIT_BITS - 0.5 })
    expect(() => privateDraw(low)).toThrow(NotReadyError)
    expect(() => privateDraw(low)).toThrow(
      expect.objectContaining({ code: 'ERR_NOT_READY', creditBits: READY_CREDIT_BITS - 0.5 }),
    )
    expect(() => privateDraw(base({ creditBits: Number.NaN }))).toThrow(/not enough entropy/)
    expect(privateDraw({ ...low, allowLowEntropy: true })).toHaveLength(32)
  })

  it('checks the length before readiness, and the sizes of its inputs', () => {
    expect(() => privateDraw(base({ length: 0, creditBits: 0 }))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    )
    expect(() => privateDraw(base({ osRandom: filled(16, 1) }))).toThrow(/OS random input/)
    expect(() => privateDraw(base({ poolState: filled(33, 1) }))).toThrow(/pool state/)
    expect(() => privateDraw(base({ counter: -1 }))).toThrow(/counter/)
    expect(privateDraw(base({ length: MAX_DRAW_BYTES }))).toHaveLength(MAX_DRAW_BYTES)
  })
})
