import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type AlaraError, BadElementError } from '../errors.js'
import { toHex } from '../platform.js'
import { fromHex, i2osp, os2ip } from './bytes.js'
import { abs, decodeElement, enc, G, GID, isElement, N, powFixed, powN } from './group.js'
import { FixedBase, mod, modInverse, modPow, multiPow } from './modular.js'
import { RSA_2048_DECIMAL } from './modulus.js'

const HALF = (N - 1n) / 2n
const arbResidue = fc.bigInt({ min: 0n, max: N - 1n })

function refusesElement(bytes: Uint8Array): void {
  try {
    decodeElement(bytes)
  } catch (err) {
    expect(err).toBeInstanceOf(BadElementError)
    expect((err as AlaraError).code).toBe('ERR_BAD_ELEMENT')
    return
  }
  throw new Error('decoded a bad element')
}

describe('the group Z_N^* / {±1}', () => {
  it('is the RSA-2048 challenge modulus, named by GID', () => {
    expect(RSA_2048_DECIMAL).toHaveLength(617)
    expect(N.toString(2)).toHaveLength(2048)
    const gid = createHash('sha256').update(i2osp(N, 256)).digest('hex')
    expect(gid.startsWith('6ae9d033')).toBe(true)
    expect(gid.endsWith('eab1a9ce')).toBe(true)
    expect(toHex(GID)).toBe(gid)
  })

  it('takes |x| = min(x mod N, N − x mod N), one value per class {x, −x}', () => {
    fc.assert(
      fc.property(arbResidue, (x) => {
        const a = abs(x)
        expect(a).toBe(x <= HALF ? x : N - x)
        expect(abs(N - x)).toBe(a)
        expect(abs(-x)).toBe(a)
        expect(abs(x + 5n * N)).toBe(a)
      }),
    )
  })

  it('encodes |x| in 256 bytes and decodes it back', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 2n, max: N - 2n }), (x) => {
        const bytes = enc(x)
        expect(bytes).toHaveLength(256)
        expect(decodeElement(bytes)).toBe(abs(x))
        expect(enc(N - x)).toEqual(bytes)
      }),
    )
  })

  it('refuses 0, 1, the upper representatives and wrong lengths (BAD_ELEMENT)', () => {
    for (const x of [0n, 1n, HALF + 1n, N - 2n, N - 1n, N, (1n << 2048n) - 1n])
      refusesElement(fromHex(x.toString(16).padStart(512, '0')))
    expect(decodeElement(i2osp(2n, 256))).toBe(2n)
    expect(decodeElement(i2osp(HALF, 256))).toBe(HALF)
    refusesElement(i2osp(5n, 255))
    refusesElement(i2osp(5n, 257))
    refusesElement(new Uint8Array(0))
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 256, maxLength: 256 }), (bytes) => {
        const x = os2ip(bytes)
        if (x >= 2n && x <= HALF) expect(decodeElement(bytes)).toBe(x)
        else refusesElement(bytes)
      }),
    )
  })

  it('hashes GID to g = |u² mod N| (u from 9 SHA-256 blocks)', () => {
    const blocks = Array.from({ length: 9 }, (_, i) => {
      const counter = Buffer.alloc(4)
      counter.writeUInt32BE(i)
      return createHash('sha256')
        .update(Buffer.from('alara/v2/g\0', 'ascii'))
        .update(GID)
        .update(counter)
        .digest()
    })
    const u = BigInt(`0x${Buffer.concat(blocks).toString('hex')}`) % N
    expect(G).toBe(abs(u * u))
    expect(isElement(G)).toBe(true)
  })
})

describe('modular arithmetic', () => {
  const naivePow = (b: bigint, e: bigint, m: bigint): bigint => {
    let r = 1n % m
    for (let i = 0n; i < e; i++) r = (r * b) % m
    return r
  }

  it('modPow agrees with repeated multiplication, for every window width', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -1000n, max: 1000n }),
        fc.bigInt({ min: 0n, max: 600n }),
        fc.bigInt({ min: 2n, max: 10n ** 6n }),
        (b, e, m) => {
          expect(modPow(b, e, m)).toBe(naivePow(mod(b, m), e, m))
        },
      ),
    )
  })

  it('modPow splits over exponents: x^(a+b) = x^a · x^b (wide exponents, mod N)', () => {
    fc.assert(
      fc.property(
        arbResidue,
        fc.bigInt({ min: 0n, max: 1n << 600n }),
        fc.bigInt({ min: 0n, max: 1n << 40n }),
        (x, a, b) => {
          expect(powN(x, a + b)).toBe((powN(x, a) * powN(x, b)) % N)
        },
      ),
      { numRuns: 20 },
    )
  })

  it('multiPow is the product of the powers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(arbResidue, fc.bigInt({ min: 0n, max: (1n << 128n) - 1n })), {
          maxLength: 4,
        }),
        (pairs) => {
          const bases = pairs.map(([b]) => b)
          const exps = pairs.map(([, e]) => e)
          const expected = pairs.reduce((acc, [b, e]) => (acc * modPow(b, e, N)) % N, 1n)
          expect(multiPow(bases, exps, N)).toBe(expected)
        },
      ),
      { numRuns: 20 },
    )
  })

  it('modInverse inverts, and refuses a shared factor', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: N - 1n }), (x) => {
        expect((modInverse(x, N) * x) % N).toBe(1n)
      }),
      { numRuns: 20 },
    )
    expect(() => modInverse(6n, 15n)).toThrow(/not invertible/)
  })
})

describe('fixed-base powers (Lim–Lee comb)', () => {
  it('equal modPow for any base, exponent and modulus', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 300n) - 1n }),
        fc.array(fc.bigInt({ min: 0n, max: (1n << 600n) - 1n }), { minLength: 1, maxLength: 4 }),
        fc.bigInt({ min: 2n, max: (1n << 128n) - 1n }),
        (base, exps, m) => {
          // one table, exponents of growing and shrinking sizes: it extends, never misreads
          const table = new FixedBase(base, m)
          for (const e of exps) expect(table.pow(e)).toBe(modPow(base, e, m))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('powFixed(g, e) = g^e mod N for beacon-sized exponents (2300 bits)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 2300n) - 1n }), (e) => {
        expect(powFixed(G, e)).toBe(powN(G, e))
      }),
      { numRuns: 10 },
    )
  })
})
