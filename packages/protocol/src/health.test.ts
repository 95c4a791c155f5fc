import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { packBitString, packBits } from './bits.js'
import { InvalidInputError } from './errors.js'
import {
  countOnesPacked,
  healthTest,
  mcvMinEntropyFromCounts,
  mcvMinEntropyPerBit,
  mcvMinEntropyPerBitUnpacked,
} from './health.js'

interface HealthVector {
  name: string
  bits: string
  rct?: 'pass' | 'fail'
  apt?: 'pass' | 'fail'
  longestRun?: number
  mcvPerBit?: number
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../test/vectors/v1.json', import.meta.url), 'utf8'),
) as { health: HealthVector[] }

/** Straightforward SP 800-90B reading over unpacked bits, to check the packed version. */
function reference(unpacked: Uint8Array) {
  let longestRun = 0
  let run = 0
  for (let i = 0; i < unpacked.length; i++) {
    run = i > 0 && unpacked[i] === unpacked[i - 1] ? run + 1 : 1
    longestRun = Math.max(longestRun, run)
  }
  let apt: 'pass' | 'fail' = 'pass'
  for (let w = 0; (w + 1) * 1024 <= unpacked.length; w++) {
    let count = 0
    for (let i = w * 1024; i < (w + 1) * 1024; i++) if (unpacked[i] === unpacked[w * 1024]) count++
    if (count >= 625) apt = 'fail'
  }
  let ones = 0
  for (const b of unpacked) ones += b
  const L = unpacked.length
  let mcv = 0
  if (L >= 2) {
    const p = Math.max(ones, L - ones) / L
    const pu = Math.min(1, p + 2.5758293035489008 * Math.sqrt((p * (1 - p)) / (L - 1)))
    mcv = pu === 1 ? 0 : -Math.log2(pu)
  }
  return { rct: longestRun >= 41 ? 'fail' : 'pass', apt, longestRun, mcv }
}

/** nA copies of a and nB of b, spread evenly so that no run gets long. */
function spread(nA: number, nB: number, a: string, b: string): string {
  const n = nA + nB
  let out = ''
  for (let i = 0; i < n; i++)
    out += Math.floor(((i + 1) * nA) / n) > Math.floor((i * nA) / n) ? a : b
  return out
}

/** A 1024-bit window starting with `first`, `same` of its bits (first included) equal to it. */
function window(first: '0' | '1', same: number): string {
  const other = first === '0' ? '1' : '0'
  return `${first}${spread(same - 1, 1024 - same, first, other)}`
}

/** Unpacked bits: runs, biased coins and fair coins, so every branch gets exercised. */
const unpackedArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 150 }).chain((runs) =>
    fc.integer({ min: 0, max: 1 }).map((first) => {
      const out: number[] = []
      runs.forEach((len, k) => {
        for (let i = 0; i < len; i++) out.push((first + k) & 1)
      })
      return Uint8Array.from(out)
    }),
  ),
  fc
    .tuple(
      fc.integer({ min: 40, max: 75 }),
      fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 4200 }),
    )
    .map(([threshold, draws]) => Uint8Array.from(draws, (d) => (d < threshold ? 1 : 0))),
  fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 3000 }).map((a) => Uint8Array.from(a)),
)

describe('healthTest: reference vectors (test/vectors/v1.json "health")', () => {
  it('has vectors to check', () => {
    expect(vectors.health.length).toBeGreaterThanOrEqual(4)
  })
  for (const v of vectors.health) {
    it(v.name, () => {
      const { bits, bitLength } = packBitString(v.bits)
      const got = healthTest(bits, bitLength)
      if (v.rct !== undefined) expect(got.rct).toBe(v.rct)
      if (v.apt !== undefined) expect(got.apt).toBe(v.apt)
      if (v.longestRun !== undefined) expect(got.longestRun).toBe(v.longestRun)
      if (v.mcvPerBit !== undefined) {
        const h = mcvMinEntropyPerBit(bits, bitLength)
        expect(Math.abs(h - v.mcvPerBit)).toBeLessThan(1e-12)
        expect(Object.is(h, -0)).toBe(false)
      }
    })
  }
})

describe('healthTest: edge cases', () => {
  it('no bits: both tests pass, longest run 0, MCV 0', () => {
    expect(healthTest(new Uint8Array(0), 0)).toEqual({ rct: 'pass', apt: 'pass', longestRun: 0 })
    expect(mcvMinEntropyPerBit(new Uint8Array(0), 0)).toBe(0)
  })

  it('a single bit: run 1, MCV 0 (L < 2)', () => {
    for (const text of ['0', '1']) {
      const { bits, bitLength } = packBitString(text)
      expect(healthTest(bits, bitLength)).toEqual({ rct: 'pass', apt: 'pass', longestRun: 1 })
      expect(mcvMinEntropyPerBit(bits, bitLength)).toBe(0)
    }
  })

  it('all zeros over 8192 bits fail both tests', () => {
    const bits = new Uint8Array(1024)
    expect(healthTest(bits, 8192)).toEqual({ rct: 'fail', apt: 'fail', longestRun: 8192 })
    expect(mcvMinEntropyPerBit(bits, 8192)).toBe(0)
  })

  it('runs of 40 and 41 at every offset within a byte, crossing byte boundaries', () => {
    for (let offset = 0; offset < 16; offset++) {
      for (const len of [40, 41]) {
        const text = `${'01'.repeat(8).slice(0, offset)}${offset % 2 === 0 ? '0' : '1'}`
        const body = `${text}${(text.at(-1) === '0' ? '1' : '0').repeat(len)}`
        const s = `${body}${body.at(-1) === '0' ? '1' : '0'}01`
        const { bits, bitLength } = packBitString(s)
        const got = healthTest(bits, bitLength)
        expect(got.longestRun).toBe(len)
        expect(got.rct).toBe(len >= 41 ? 'fail' : 'pass')
      }
    }
  })

  it('a run that ends the input, inside a partial last byte', () => {
    const { bits, bitLength } = packBitString(`01${'1'.repeat(45)}`)
    expect(healthTest(bits, bitLength).longestRun).toBe(46)
  })

  it('a tail shorter than the 1024-bit window is not tested', () => {
    const balanced = '01'.repeat(512) // window 1: first bit 0, 512 zeros
    const biased = '110'.repeat(400) // 2/3 ones, runs of 2: fails any full window
    const tail = `${balanced}${biased.slice(0, 1023)}`
    expect(healthTest(packBitString(tail).bits, tail.length).apt).toBe('pass')
    const full = `${balanced}${biased.slice(0, 1024)}`
    expect(healthTest(packBitString(full).bits, full.length).apt).toBe('fail')
  })

  it('windows are fixed, not sliding: a bias straddling two windows passes', () => {
    const biased = `1${spread(715, 308, '1', '0')}` // 716 ones: fails as a window of its own
    expect(healthTest(packBitString(biased).bits, 1024).apt).toBe('fail')
    const filler = '10'.repeat(256)
    const s = `${filler}${biased}${filler}` // windows: filler + half, half + filler
    expect(s.length).toBe(2048)
    expect(healthTest(packBitString(s).bits, s.length).apt).toBe('pass')
  })

  it('the count is of the first bit, first bit included; cutoff 625', () => {
    const cases: [string, 'pass' | 'fail'][] = [
      [window('0', 625), 'fail'],
      [window('0', 624), 'pass'],
      [window('1', 625), 'fail'],
      [window('1', 624), 'pass'],
      [window('1', 399), 'pass'], // 625 zeros, but the first bit is 1
      [window('0', 399), 'pass'], // 625 ones, but the first bit is 0
    ]
    for (const [s, expected] of cases) {
      expect(s.length).toBe(1024)
      const got = healthTest(packBitString(s).bits, 1024)
      expect(got.apt).toBe(expected)
      expect(got.rct).toBe('pass')
    }
  })

  it('a failing second window fails the test; a passing first one does not hide it', () => {
    const s = `${'01'.repeat(512)}${window('1', 683)}`
    expect(healthTest(packBitString(s).bits, s.length).apt).toBe('fail')
    expect(healthTest(packBitString(s).bits, 1024).apt).toBe('pass')
  })

  it('rejects bad input with InvalidInputError', () => {
    expect(() => healthTest(new Uint8Array(1), 9)).toThrow(InvalidInputError)
    expect(() => healthTest(new Uint8Array(1), -1)).toThrow(InvalidInputError)
    expect(() => healthTest(new Uint8Array(1), 1.5)).toThrow(InvalidInputError)
    expect(() => mcvMinEntropyPerBit(new Uint8Array(0), 1)).toThrow(InvalidInputError)
    expect(() => mcvMinEntropyFromCounts(3, 2)).toThrow(InvalidInputError)
    expect(() => mcvMinEntropyFromCounts(-1, 2)).toThrow(InvalidInputError)
    expect(() => mcvMinEntropyPerBitUnpacked(Uint8Array.from([0, 2]))).toThrow(InvalidInputError)
  })
})

describe('MCV min-entropy', () => {
  it('matches the design formula for 60 % ones over 8 Mbit (STATISTICS.md: 0.736)', () => {
    const L = 8_000_000
    const h = mcvMinEntropyFromCounts(0.6 * L, L)
    expect(h).toBeCloseTo(0.7357, 3)
  })

  it('is 1 bit per bit only in the limit: a perfectly balanced 8192-bit contribution', () => {
    const h = mcvMinEntropyFromCounts(4096, 8192)
    const pu = 0.5 + 2.5758293035489008 * Math.sqrt(0.25 / 8191)
    expect(h).toBeCloseTo(-Math.log2(pu), 15)
    expect(h).toBeLessThan(1)
  })

  it('the packed and unpacked variants agree', () => {
    fc.assert(
      fc.property(unpackedArb, (u) => {
        const packed = packBits(u)
        expect(mcvMinEntropyPerBit(packed, u.length)).toBe(mcvMinEntropyPerBitUnpacked(u))
      }),
    )
  })
})

describe('healthTest: properties', () => {
  it('agrees with a straightforward implementation over unpacked bits', () => {
    fc.assert(
      fc.property(unpackedArb, (u) => {
        const ref = reference(u)
        const packed = packBits(u)
        expect(healthTest(packed, u.length)).toEqual({
          rct: ref.rct,
          apt: ref.apt,
          longestRun: ref.longestRun,
        })
        expect(mcvMinEntropyPerBit(packed, u.length)).toBeCloseTo(ref.mcv, 14)
      }),
      { numRuns: 300 },
    )
  })

  it('complementing every bit changes nothing', () => {
    fc.assert(
      fc.property(unpackedArb, (u) => {
        const flipped = u.map((b) => 1 - b)
        expect(healthTest(packBits(flipped), u.length)).toEqual(healthTest(packBits(u), u.length))
        expect(mcvMinEntropyPerBit(packBits(flipped), u.length)).toBe(
          mcvMinEntropyPerBit(packBits(u), u.length),
        )
      }),
    )
  })

  it('ignores padding bits and bytes past bitLength', () => {
    fc.assert(
      fc.property(unpackedArb, fc.integer({ min: 0, max: 255 }), (u, junk) => {
        const clean = packBits(u)
        const dirty = new Uint8Array(clean.length + 2)
        dirty.set(clean)
        const spare = clean.length * 8 - u.length
        if (clean.length > 0)
          dirty[clean.length - 1] = (clean.at(-1) as number) | (junk & ((1 << spare) - 1))
        dirty[clean.length] = junk
        dirty[clean.length + 1] = 0xff
        expect(healthTest(dirty, u.length)).toEqual(healthTest(clean, u.length))
        expect(countOnesPacked(dirty, u.length)).toBe(countOnesPacked(clean, u.length))
      }),
    )
  })
})
