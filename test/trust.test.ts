import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBits } from './helpers/bits.js'
import { cliJson } from './helpers/cli.js'
import type { DaemonProcess } from './helpers/daemon.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { injectBits, type PoolJson, pool, quality, setTrust } from './helpers/node-state.js'
import { waitFor } from './helpers/wait.js'

/**
 * Trust is local folding policy (DESIGN.md "Folding"): a contribution from a peer at
 * trust 0 is stored but not folded, and a trust change re-folds every epoch that is not
 * final yet (final = end(r) + finalMs, 3 epochs by default: 3 s here at --epoch-ms 1000).
 *
 * So the tests set trust 0 *before* A injects (inclusion never races finality), and set
 * it back right after B has stored the contribution, checking that this happened
 * before the epoch was final. The last test shows the other side of the rule: a final
 * epoch keeps its folded set whatever the trust does afterwards.
 *
 * Two daemons, A and B, shared by the tests in order (each test only looks at what it
 * adds); B's trust in A is what changes.
 */

const EPOCH_MS = 1000
const FINAL_MS = 3 * EPOCH_MS

const h = new Harness('trust')
let a: DaemonProcess
let b: DaemonProcess

beforeAll(async () => {
  ;[a, b] = (await h.startMany(2, { epochMs: EPOCH_MS })) as [DaemonProcess, DaemonProcess]
  await connectMesh([a, b])
})
afterAll(() => h.cleanup())

/** The moment epoch r becomes final: its end plus finalMs. */
const finalAt = (epoch: number): number => (epoch + 1) * EPOCH_MS + FINAL_MS

function waitStored(home: string, stored: number): Promise<PoolJson> {
  return waitFor(
    () => pool(home),
    (p) => p.stored >= stored,
    { timeoutMs: 15_000, intervalMs: 100, what: `${stored} stored contributions on B` },
  )
}

describe('trust', () => {
  it('trust 0 stores but does not fold; setting 0.8 again folds it', async () => {
    const before = await pool(b.home)
    expect(before.stored).toBe(0)

    expect(await setTrust(b.home, a.peerId, 0)).toMatchObject({ peerId: a.peerId, trust: 0 })
    const bits = randomBits(32)
    const injected = await injectBits(a.home, bits)

    const blocked = await waitStored(b.home, 1)
    expect(blocked.stored).toBe(1)
    expect(blocked.folded).toBe(0)
    expect(blocked.stored).toBeGreaterThan(blocked.folded)
    expect(blocked.bits).not.toContain(bits)
    expect(blocked.bitLength).toBe(0)

    await setTrust(b.home, a.peerId, 0.8)
    // the rule only promises a re-fold of epochs that are not final yet
    expect(Date.now(), 'trust set back before the epoch was final').toBeLessThan(
      finalAt(injected.epoch),
    )
    const restored = await pool(b.home)
    expect(restored.folded).toBe(restored.stored)
    expect(restored.folded).toBe(1)
    expect(restored.bits.slice(0, 32)).toBe(bits)
    const origin = (await quality(b.home)).origins.find((o) => o.peerId === a.peerId)
    expect(origin?.trust).toBe(0.8)
  })

  it('trust 0 stores but does not fold; trust rm (default trust) folds it', async () => {
    const before = await pool(b.home)
    await setTrust(b.home, a.peerId, 0)
    const bits = randomBits(32)
    const injected = await injectBits(a.home, bits)

    const blocked = await waitStored(b.home, before.stored + 1)
    expect(blocked.stored).toBe(before.stored + 1)
    expect(blocked.stored).toBeGreaterThan(blocked.folded)
    expect(blocked.bits).not.toContain(bits)

    const removed = await cliJson<{ peerId: string; removed: boolean }>(b.home, [
      'trust',
      'rm',
      a.peerId,
    ])
    expect(Date.now(), 'trust rm before the epoch was final').toBeLessThan(finalAt(injected.epoch))
    expect(removed).toEqual({ peerId: a.peerId, removed: true })
    const restored = await pool(b.home)
    expect(restored.folded).toBe(restored.stored)
    expect(restored.stored).toBe(before.stored + 1)
    expect(restored.bits.slice(0, 32)).toBe(bits)
    const origin = (await quality(b.home)).origins.find((o) => o.peerId === a.peerId)
    expect(origin?.trust).toBe(0.8) // defaultTrust
  })

  it('a final epoch keeps its folded set when the trust drops to 0 afterwards', async () => {
    const before = await pool(b.home)
    const bits = randomBits(32)
    const injected = await injectBits(a.home, bits)
    const folded = await waitFor(
      () => pool(b.home),
      (p) => p.folded >= before.folded + 1,
      { timeoutMs: 15_000, intervalMs: 100, what: "B folding A's contribution" },
    )
    expect(folded.bits.slice(0, 32)).toBe(bits)

    // B says the epoch is final (status.lastFinalEpoch), then the trust drops
    await waitFor(
      () => cliJson<{ lastFinalEpoch: number | null }>(b.home, ['status']),
      (s) => s.lastFinalEpoch !== null && s.lastFinalEpoch >= injected.epoch,
      { timeoutMs: 15_000, intervalMs: 250, what: `epoch ${injected.epoch} final on B` },
    )
    await setTrust(b.home, a.peerId, 0)
    const after = await pool(b.home)
    expect(after.folded).toBe(folded.folded)
    expect(after.digest).toBe(folded.digest)
    expect(after.bits).toContain(bits)
  })
})
