import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiPool, apiStatus } from './helpers/api.js'
import { randomBits } from './helpers/bits.js'
import { cliJson } from './helpers/cli.js'
import type { DaemonProcess } from './helpers/daemon.js'
import { finalAtMs, startNodes } from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { injectBits, type PoolJson, pool, quality, setTrust } from './helpers/node-state.js'
import { STATE_TIMEOUT_MS, waitFor } from './helpers/wait.js'

/**
 * Trust is local folding policy (docs/PROTOCOL.md "Folding"): a contribution from a peer
 * at trust 0 is stored but not folded, and a trust change re-folds every epoch that is not
 * final yet (final = end(r) + finalMs: 15 s here, set in the homes' config.json, so the
 * few CLI calls between an injection and the trust change fit well before it).
 *
 * So the tests set trust 0 *before* A injects (inclusion never races finality), and set
 * it back right after B has stored the contribution, checking that this happened
 * before the epoch was final. The last test shows the other side of the rule: a final
 * epoch keeps its folded set whatever the trust does afterwards.
 *
 * Each test has its own two daemons, A and B, on a network of its own (all six started at
 * once); B's trust in A is what changes. Sharing one pair made each test wait until the
 * earlier tests' epochs were final on B (a trust change re-folds every epoch that is not
 * final, so an earlier test's contribution still open would be unfolded by this test's
 * trust 0, and frozen unfolded if its epoch became final meanwhile: "folded 1 of 2
 * stored" after `trust rm`): 15 s per test.
 */

interface Pair {
  h: Harness
  a: DaemonProcess
  b: DaemonProcess
}

const TESTS = ['fold', 'rm', 'final'] as const
const harnesses = new Map(TESTS.map((t) => [t, new Harness(`trust-${t}`, { finalMs: 15_000 })]))
const pairs = new Map<(typeof TESTS)[number], Pair>()

beforeAll(async () => {
  await Promise.all(
    [...harnesses].map(async ([t, h]) => {
      const [a, b] = (await startNodes(h, 2)) as [DaemonProcess, DaemonProcess]
      await connectMesh([a, b])
      pairs.set(t, { h, a, b })
    }),
  )
})
afterAll(() => Promise.all([...harnesses.values()].map((h) => h.cleanup())))

function pairOf(t: (typeof TESTS)[number]): Pair {
  const p = pairs.get(t)
  if (p === undefined) throw new Error(`no daemons for ${t}`)
  return p
}

/** The moment epoch r becomes final on `p`: its end plus finalMs. */
const finalAt = (p: Pair, epoch: number): number => finalAtMs(epoch, p.h.timing)

function waitStored(p: Pair, stored: number): Promise<PoolJson> {
  return waitFor(
    () => apiPool(p.b),
    (pool) => pool.stored >= stored,
    { intervalMs: 50, what: `${stored} stored contributions on B` },
  )
}

describe('trust', () => {
  it('trust 0 stores but does not fold; setting 0.8 again folds it', async () => {
    const p = pairOf('fold')
    const { a, b } = p
    const before = await pool(b.home)
    expect(before.stored).toBe(0)

    expect(await setTrust(b.home, a.peerId, 0)).toMatchObject({ peerId: a.peerId, trust: 0 })
    const bits = randomBits(32)
    const injected = await injectBits(a.home, bits)

    await waitStored(p, 1)
    const blocked = await pool(b.home)
    expect(blocked.stored).toBe(1)
    expect(blocked.folded).toBe(0)
    expect(blocked.stored).toBeGreaterThan(blocked.folded)
    expect(blocked.bits).not.toContain(bits)
    expect(blocked.bitLength).toBe(0)

    await setTrust(b.home, a.peerId, 0.8)
    // the rule only promises a re-fold of epochs that are not final yet
    expect(Date.now(), 'trust set back before the epoch was final').toBeLessThan(
      finalAt(p, injected.epoch),
    )
    const restored = await pool(b.home)
    expect(restored.folded).toBe(restored.stored)
    expect(restored.folded).toBe(1)
    expect(restored.bits.slice(0, 32)).toBe(bits)
    const origin = (await quality(b.home)).origins.find((o) => o.peerId === a.peerId)
    expect(origin?.trust).toBe(0.8)
  })

  it('trust 0 stores but does not fold; trust rm (default trust) folds it', async () => {
    const p = pairOf('rm')
    const { a, b } = p
    const before = await pool(b.home)
    await setTrust(b.home, a.peerId, 0)
    const bits = randomBits(32)
    const injected = await injectBits(a.home, bits)

    await waitStored(p, before.stored + 1)
    const blocked = await pool(b.home)
    expect(blocked.stored).toBe(before.stored + 1)
    expect(blocked.stored).toBeGreaterThan(blocked.folded)
    expect(blocked.bits).not.toContain(bits)

    const removed = await cliJson<{ peerId: string; removed: boolean }>(b.home, [
      'trust',
      'rm',
      a.peerId,
    ])
    expect(Date.now(), 'trust rm before the epoch was final').toBeLessThan(
      finalAt(p, injected.epoch),
    )
    expect(removed).toEqual({ peerId: a.peerId, removed: true })
    const restored = await pool(b.home)
    expect(restored.folded).toBe(restored.stored)
    expect(restored.stored).toBe(before.stored + 1)
    expect(restored.bits.slice(0, 32)).toBe(bits)
    const origin = (await quality(b.home)).origins.find((o) => o.peerId === a.peerId)
    expect(origin?.trust).toBe(0.8) // defaultTrust
  })

  it('a final epoch keeps its folded set when the trust drops to 0 afterwards', async () => {
    const p = pairOf('final')
    const { a, b } = p
    const before = await pool(b.home)
    const bits = randomBits(32)
    const injected = await injectBits(a.home, bits)
    await waitFor(
      () => apiPool(b),
      (p) => p.folded >= before.folded + 1,
      { intervalMs: 50, what: "B folding A's contribution" },
    )
    const folded = await pool(b.home)
    expect(folded.folded).toBe(before.folded + 1)
    expect(folded.bits.slice(0, 32)).toBe(bits)

    // B says the epoch is final (status.lastFinalEpoch), then the trust drops
    await waitFor(
      () => apiStatus(b),
      (s) => s.lastFinalEpoch !== null && s.lastFinalEpoch >= injected.epoch,
      {
        timeoutMs: finalAt(p, injected.epoch) - Date.now() + STATE_TIMEOUT_MS,
        intervalMs: 100,
        what: `epoch ${injected.epoch} final on B`,
      },
    )
    expect(
      (await cliJson<{ lastFinalEpoch: number }>(b.home, ['status'])).lastFinalEpoch,
    ).toBeGreaterThanOrEqual(injected.epoch)
    await setTrust(b.home, a.peerId, 0)
    const after = await pool(b.home)
    expect(after.folded).toBe(folded.folded)
    expect(after.digest).toBe(folded.digest)
    expect(after.bits).toContain(bits)
  })
})
