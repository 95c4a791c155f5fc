import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { dst } from './bytes.js'
import { abs, G, N, powN } from './group.js'
import { hashPrime } from './hash-prime.js'
import {
  evaluateTimelock,
  type TimelockProgress,
  timelockPrime,
  timelockPrimeSeed,
  verifyTimelock,
} from './timelock.js'
import { proofParameters } from './wesolowski.js'

const arbElement = fc.bigInt({ min: 2n, max: (N - 1n) / 2n })

describe('time-lock y = X^(2^T) with Wesolowski’s proof', () => {
  it('computes y by squaring, and a proof the verifier accepts', async () => {
    for (const T of [1, 100, 263, 264, 512, 1000, 1024, 3000]) {
      const out = await evaluateTimelock(G, T)
      expect(out.y).toBe(abs(powN(G, 1n << BigInt(T))))
      expect(out.proof).toBe(abs(powN(G, (1n << BigInt(T)) / out.prime)))
      expect(out.prime).toBe(timelockPrime(G, T, out.y))
      expect(verifyTimelock(G, T, out.y, out.proof)).toBe(true)
    }
  })

  it('derives p from DST("prime") ‖ GID ‖ u64 T ‖ enc X ‖ enc y', () => {
    const seed = timelockPrimeSeed(G, 0x0102030405, 7n)
    expect(seed).toHaveLength(15 + 32 + 8 + 512)
    expect(Buffer.from(seed.subarray(0, 15)).equals(Buffer.from(dst('prime')))).toBe(true)
    expect(Buffer.from(seed.subarray(47, 55)).toString('hex')).toBe('0000000102030405')
    expect(seed[seed.length - 1]).toBe(7)
    expect(timelockPrime(G, 0x0102030405, 7n)).toBe(hashPrime(seed))
  })

  it('gives the same proof whatever checkpoints it keeps', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbElement,
        fc.integer({ min: 300, max: 2500 }),
        fc.integer({ min: 1, max: 64 }),
        async (x, T, keep) => {
          const wide = await evaluateTimelock(x, T)
          const narrow = await evaluateTimelock(x, T, { maxCheckpoints: keep, chunk: 97 })
          expect(narrow).toEqual(wide)
          expect(verifyTimelock(x, T, wide.y, wide.proof)).toBe(true)
        },
      ),
      { numRuns: 10 },
    )
  })

  it('refuses a tampered y, proof, base or T', async () => {
    const T = 1024
    const x = abs(G * 3n)
    const { y, proof } = await evaluateTimelock(x, T)
    fc.assert(
      fc.property(arbElement, (other) => {
        fc.pre(other !== y && other !== proof && other !== x)
        expect(verifyTimelock(x, T, other, proof)).toBe(false)
        expect(verifyTimelock(x, T, y, other)).toBe(false)
        expect(verifyTimelock(other, T, y, proof)).toBe(false)
      }),
      { numRuns: 10 },
    )
    expect(verifyTimelock(x, T + 1, y, proof)).toBe(false)
    expect(verifyTimelock(x, T - 1, y, proof)).toBe(false)
    // the other representative of a class, and values out of range, are not canonical
    expect(verifyTimelock(x, T, N - y, proof)).toBe(false)
    expect(verifyTimelock(x, T, y, N - proof)).toBe(false)
    expect(verifyTimelock(x, T, 0n, proof)).toBe(false)
    // y' = y·z^p with π' = π·z would pass for the same p, but p is hashed from y' and changes
    const z = 5n
    const forgedProof = abs(proof * z)
    const forgedY = abs(y * powN(z, timelockPrime(x, T, y)))
    expect(verifyTimelock(x, T, forgedY, forgedProof)).toBe(false)
  })

  it('reports progress in chunks and stops when aborted', async () => {
    const seen: TimelockProgress[] = []
    await evaluateTimelock(G, 1000, { chunk: 256, onProgress: (p) => seen.push(p) })
    const squarings = seen.filter((p) => p.phase === 'squarings').map((p) => p.done)
    expect(squarings).toEqual([256, 512, 768, 1000])
    expect(seen.at(-1)?.phase).toBe('proof')
    expect(seen.at(-1)?.done).toBe(seen.at(-1)?.total)

    const controller = new AbortController()
    let reports = 0
    const run = evaluateTimelock(G, 1 << 20, {
      chunk: 1000,
      signal: controller.signal,
      onProgress: () => {
        if (++reports === 3) controller.abort(new Error('stop'))
      },
    })
    await expect(run).rejects.toThrow('stop')
    expect(reports).toBe(3)
    const aborted = AbortSignal.abort()
    await expect(evaluateTimelock(G, 10, { signal: aborted })).rejects.toThrow()
  })

  it('refuses T outside 1..2^53−1', async () => {
    await expect(evaluateTimelock(G, 0)).rejects.toThrow(/at least 1/)
    await expect(evaluateTimelock(G, 1.5)).rejects.toThrow(/integer/)
    expect(() => verifyTimelock(G, -1, G, G)).toThrow()
  })

  it('picks proof parameters within the checkpoint budget', () => {
    for (const T of [1, 1000, 1 << 16, 1 << 24, 1 << 30])
      for (const budget of [1, 64, 1 << 16]) {
        const { k, l } = proofParameters(T, budget)
        expect(Math.ceil(T / (k * l))).toBeLessThanOrEqual(budget)
      }
    // the default: ~T/12 multiplications for 2^24, 2^16 elements kept
    expect(proofParameters(1 << 24, 1 << 16)).toEqual({ k: 12, l: 22 })
  })
})
