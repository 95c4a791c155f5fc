import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { splitBits } from './inject.js'

/** Reference reading of packed bits, MSB first: the first `n` bits as '0'/'1'. */
function bitsOf(bytes: Uint8Array, n: number): string {
  let out = ''
  for (let i = 0; i < n; i++) out += ((bytes[i >> 3] as number) >> (7 - (i & 7))) & 1 ? '1' : '0'
  return out
}

/** The unused low bits of the last byte (DESIGN.md: they must be zero). */
function paddingOf(bytes: Uint8Array, n: number): string {
  return bitsOf(bytes, bytes.length * 8).slice(n)
}

/** Packed input with any bit length up to its size; bits past bitLength may be set. */
const input = fc.uint8Array({ minLength: 0, maxLength: 200 }).chain((bytes) =>
  fc.record({
    bytes: fc.constant(bytes),
    bitLength: fc.integer({ min: 0, max: bytes.length * 8 }),
  }),
)

describe('splitBits', () => {
  it('pieces of at most maxBits whose concatenation is the input, padding zero', () => {
    fc.assert(
      fc.property(input, fc.integer({ min: 1, max: 400 }), ({ bytes, bitLength }, maxBits) => {
        const before = Uint8Array.from(bytes)
        const pieces = splitBits(bytes, bitLength, maxBits)

        expect(pieces).toHaveLength(Math.ceil(bitLength / maxBits))
        pieces.forEach((p, i) => {
          expect(p.bitLength).toBeGreaterThanOrEqual(1)
          expect(p.bitLength).toBeLessThanOrEqual(maxBits)
          // every piece but the last is full
          if (i < pieces.length - 1) expect(p.bitLength).toBe(maxBits)
          expect(p.bits.length).toBe(Math.ceil(p.bitLength / 8))
          expect(paddingOf(p.bits, p.bitLength)).toMatch(/^0*$/)
        })
        expect(pieces.map((p) => bitsOf(p.bits, p.bitLength)).join('')).toBe(
          bitsOf(bytes, bitLength),
        )
        expect(pieces.reduce((n, p) => n + p.bitLength, 0)).toBe(bitLength)
        // the caller's buffer is left alone
        expect(bytes).toEqual(before)
      }),
      { numRuns: 1000 },
    )
  })

  it('pieces never share memory with the input or with each other', () => {
    const bytes = new Uint8Array([0xff, 0xff, 0xff, 0xff])
    const pieces = splitBits(bytes, 32, 8)
    bytes.fill(0)
    expect(pieces.map((p) => [...p.bits])).toEqual([[0xff], [0xff], [0xff], [0xff]])
    ;(pieces[0] as { bits: Uint8Array }).bits[0] = 0
    expect([...(pieces[1] as { bits: Uint8Array }).bits]).toEqual([0xff])
  })

  it('no bits, no pieces', () => {
    expect(splitBits(new Uint8Array(0), 0, 8192)).toEqual([])
    expect(splitBits(new Uint8Array([0xff]), 0, 1)).toEqual([])
  })

  it('input that fits is one piece, with stray bits past bitLength cleared', () => {
    expect(splitBits(new Uint8Array([0b1011_0111]), 4, 8192)).toEqual([
      { bits: new Uint8Array([0b1011_0000]), bitLength: 4 },
    ])
    expect(splitBits(new Uint8Array([0xab, 0xcd]), 16, 16)).toEqual([
      { bits: new Uint8Array([0xab, 0xcd]), bitLength: 16 },
    ])
  })

  it('cuts at bit positions inside a byte and re-packs each piece from bit 0', () => {
    // 1010 1100 | 1111 0000, cut every 3 bits: 101 011 001 111 000 0
    const pieces = splitBits(new Uint8Array([0b1010_1100, 0b1111_0000]), 16, 3)
    expect(pieces.map((p) => bitsOf(p.bits, p.bitLength))).toEqual([
      '101',
      '011',
      '001',
      '111',
      '000',
      '0',
    ])
    expect(pieces.map((p) => [...p.bits])).toEqual([
      [0b1010_0000],
      [0b0110_0000],
      [0b0010_0000],
      [0b1110_0000],
      [0],
      [0],
    ])
  })

  it('at the default maxBits of 8192: 20000 bits are 8192 + 8192 + 3616', () => {
    const bytes = Uint8Array.from({ length: 2500 }, (_, i) => (i * 37 + 11) & 0xff)
    const pieces = splitBits(bytes, 20_000, 8192)
    expect(pieces.map((p) => p.bitLength)).toEqual([8192, 8192, 3616])
    expect(pieces.map((p) => p.bits.length)).toEqual([1024, 1024, 452])
    expect(pieces[0]?.bits).toEqual(bytes.subarray(0, 1024))
    expect(pieces[1]?.bits).toEqual(bytes.subarray(1024, 2048))
    expect(pieces[2]?.bits).toEqual(bytes.subarray(2048, 2500))
  })

  it('byte-aligned maxBits keep the input bytes as they are', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        (bytes, maxBytes) => {
          const pieces = splitBits(bytes, bytes.length * 8, maxBytes * 8)
          expect(pieces.flatMap((p) => [...p.bits])).toEqual([...bytes])
        },
      ),
    )
  })
})
