import { afterEach, describe, expect, it } from 'vitest'
import { apiPool } from './helpers/api.js'
import { balancedBits, mcvEntropyPerBit, randomBits } from './helpers/bits.js'
import type { DaemonProcess } from './helpers/daemon.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { injectBits, pool, quality, setTrust } from './helpers/node-state.js'
import { eventually, waitFor } from './helpers/wait.js'

/**
 * The original ALARA's scenarios, driven through the CLI against real daemons on
 * loopback: entropy injected on one node shows up at the front of the others' pools,
 * replicas that folded the same contributions agree, and trust weights the credit.
 * Each test starts its own daemons (at most 4 at a time) and stops them afterwards.
 */

const h = new Harness('pool')
afterEach(() => h.cleanup())

describe('pool', () => {
  it("bits injected on A are at the front of B's pool", async () => {
    const [a, b] = (await h.startMany(2)) as [DaemonProcess, DaemonProcess]
    await connectMesh([a, b])

    const bits = randomBits(32)
    const injected = await injectBits(a.home, bits)
    expect(injected.bitLength).toBe(32)
    expect(injected.ids).toHaveLength(1)

    await waitFor(
      () => apiPool(b),
      (p) => p.stored >= 1,
      { intervalMs: 50, what: "A's contribution in B's replica" },
    )
    const seen = await pool(b.home)
    expect(seen.folded).toBe(1)
    expect(seen.bitLength).toBe(32)
    expect(seen.bits.slice(0, 32)).toBe(bits)
  })

  it('three nodes each inject 32 bits: every replica folds all 96 and the digests agree', async () => {
    const nodes = await h.startMany(3)
    await connectMesh(nodes)

    const injected = new Map<string, string>()
    await Promise.all(
      nodes.map(async (d) => {
        const bits = randomBits(32)
        injected.set(d.peerId, bits)
        expect((await injectBits(d.home, bits)).bitLength).toBe(32)
      }),
    )

    await waitFor(
      () => Promise.all(nodes.map((d) => apiPool(d))),
      (pools) => pools.every((p) => p.folded >= 3),
      { intervalMs: 50, what: 'three replicas folding three contributions' },
    )
    const pools = await eventually(
      async () => {
        const pools = await Promise.all(nodes.map((d) => pool(d.home)))
        for (const p of pools) {
          expect(p.folded).toBe(3)
          expect(p.bitLength).toBeGreaterThanOrEqual(96)
        }
        expect(new Set(pools.map((p) => p.digest)).size).toBe(1)
        return pools
      },
      { what: 'three replicas folding the same three contributions' },
    )
    // the same folded set gives the same pool: every injection is in every pool
    for (const p of pools) {
      expect(p.bits).toBe(pools[0]?.bits)
      for (const bits of injected.values()) expect(p.bits).toContain(bits)
    }
  })

  it('trust weights the credit: origins at 0.9/0.8/0.7/0.6 injecting 32/24/16/8 bits', async () => {
    const nodes = await h.startMany(4)
    const trustOf = [0.9, 0.8, 0.7, 0.6]
    const lengths = [32, 24, 16, 8]
    await connectMesh(nodes)
    // every node trusts origin i at trustOf[i] (itself is always 1), set before injecting
    await Promise.all(
      nodes.map(async (d) => {
        for (const [i, o] of nodes.entries())
          if (o !== d) await setTrust(d.home, o.peerId, trustOf[i] as number)
      }),
    )

    // balanced bits: the MCV estimate credits every length (8 bits with 7 ones earn 0)
    const bitsOf = lengths.map((n) => balancedBits(n))
    for (const [i, d] of nodes.entries()) await injectBits(d.home, bitsOf[i] as string)

    await waitFor(
      () => Promise.all(nodes.map((d) => apiPool(d))),
      (pools) => pools.every((p) => p.folded >= 4),
      { intervalMs: 50, what: 'four replicas folding four contributions' },
    )
    await eventually(
      async () => {
        for (const d of nodes) {
          const p = await pool(d.home)
          expect(p.folded, `folded on ${d.peerId}`).toBe(4)
          expect(p.bitLength, `pool bits on ${d.peerId}`).toBeGreaterThanOrEqual(80)
        }
      },
      { what: 'four replicas folding all four contributions' },
    )

    for (const d of nodes) {
      const q = await quality(d.home)
      expect(q.poolBits).toBeGreaterThanOrEqual(80)
      let total = 0
      const others: Array<{ trust: number; credit: number }> = []
      for (const [i, o] of nodes.entries()) {
        const origin = q.origins.find((x) => x.peerId === o.peerId)
        expect(origin, `origin ${o.peerId} in quality of ${d.peerId}`).toBeDefined()
        if (origin === undefined) continue
        const trust = o === d ? 1 : (trustOf[i] as number)
        const bits = bitsOf[i] as string
        expect(origin.trust).toBeCloseTo(trust, 9)
        expect(origin.contributions).toBe(1)
        expect(origin.bits).toBe(bits.length)
        // DESIGN.md: credit = trust × bit_length × h (h the MCV estimate of those bits),
        // so credit / (bits × h) is the trust itself: proportional to it
        const h = mcvEntropyPerBit(bits)
        expect(h).toBeGreaterThan(0)
        expect(origin.creditBits, `per-origin creditBits of ${o.peerId}`).toBeDefined()
        const credit = origin.creditBits as number
        expect(credit / (bits.length * h)).toBeCloseTo(trust, 6)
        total += credit
        if (o !== d) others.push({ trust, credit })
      }
      // the node's credit is the sum over origins; higher trust (and more bits) earns more
      expect(q.creditBits).toBeCloseTo(total, 6)
      const byCredit = [...others].sort((x, y) => y.credit - x.credit).map((x) => x.trust)
      expect(byCredit).toEqual([...others].map((x) => x.trust).sort((x, y) => y - x))
    }
  })
})
