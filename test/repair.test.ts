import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiPool } from './helpers/api.js'
import type { DaemonProcess } from './helpers/daemon.js'
import {
  atNextEpoch,
  beaconOf,
  type ConsensusEntryJson,
  closeAtMs,
  consensusOf,
  epochAt,
  epochsOf,
  finalAtMs,
  type Injected,
  idsOf,
  injectAll,
  injectRandom,
  injectRounds,
  startNodes,
  untilEpoch,
  waitFinal,
} from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { pool } from './helpers/node-state.js'
import { eventually, waitFor } from './helpers/wait.js'

/**
 * docs/PROTOCOL.md "Epochs and consensus", repair and catch-up, with three real daemons
 * (epochs of 1 s, closed at end + 10 s, final at end + 22 s: graceMs and finalMs in the
 * homes' config.json, so an epoch stays open for seconds after an injection lands at its
 * start, whatever the load, and a restarted node has 22 s to come back before the epoch
 * it missed is final (final at end + 12 s was too short once under load; 30 s was more
 * than needed and cost the file ~25 s); graceMs + 4 × roundMs = 22 s, the admission
 * deadline, is not past final):
 * (a) a contribution only one node holds (`inject --no-publish`) reaches the others by
 *     repair, driven by the disagreeing votes, before the epoch is final;
 * (b) a node killed with SIGKILL for several epochs comes back on the same home: every
 *     epoch that was not final when it left ends agreed everywhere, and the epochs it
 *     missed are back-filled from its peers (same beacon, verified from its own store).
 * Each test has three daemons of its own, on a network of its own, and the two run at
 * once: both mostly wait for epochs to become final (one after the other took ~80 s).
 */

const TIMING = { graceMs: 10_000, finalMs: 22_000, roundMs: 3_000 }
const hs = {
  kept: new Harness('repair-kept', TIMING),
  killed: new Harness('repair-killed', TIMING),
}
/** final(r) is this many epochs after r ends */
const FINAL_EPOCHS = hs.kept.timing.finalMs / hs.kept.timing.epochMs
type Trio = [DaemonProcess, DaemonProcess, DaemonProcess]
const trios = new Map<Harness, Trio>()
/** the first epoch that began with the trio connected: it has no epochs before */
const meshedFrom = new Map<Harness, number>()

beforeAll(async () => {
  await Promise.all(
    Object.values(hs).map(async (h) => {
      const nodes = (await startNodes(h, 3)) as Trio
      await connectMesh(nodes)
      trios.set(h, nodes)
      meshedFrom.set(h, epochAt(Date.now()) + 1)
    }),
  )
})
afterAll(() => Promise.all(Object.values(hs).map((h) => h.cleanup())))

function trioOf(h: Harness): Trio {
  const nodes = trios.get(h)
  if (nodes === undefined) throw new Error(`no daemons for ${h.network}`)
  return nodes
}

/** Every counted voter agrees, agreement 1, and `must` are among the voters. */
function expectAgreed(e: ConsensusEntryJson | undefined, must: DaemonProcess[], who: string) {
  expect(e, `${who}: consensus entry`).toBeDefined()
  if (e === undefined) return
  expect(e.status, who).toBe('agreed')
  expect(e.agreement, who).toBe(1)
  const voters = new Set(e.voters.map((v) => v.peerId))
  for (const d of must)
    expect(voters.has(d.peerId), `${who}: ${d.peerId} among the voters`).toBe(true)
  for (const v of e.voters) {
    expect(v.agrees, `${who}: voter ${v.peerId}`).toBe(true)
    expect(v.digest, `${who}: voter ${v.peerId}`).toBe(e.digest)
  }
}

describe.concurrent('repair', () => {
  it('a contribution kept on one node reaches every node by repair before the epoch is final', async () => {
    const h = hs.kept
    const [a, b, c] = trioOf(h)
    const nodes = [a, b, c]
    const before = await Promise.all([b, c].map((d) => pool(d.home)))
    await atNextEpoch()
    const kept = await injectRandom(a, 64, false)
    const r = kept.epoch
    expect(kept.publishedTo).toBe(0)
    // while r is open, B and C cannot have it (nothing was published); read at once
    // through the API, seconds before r closes (end + 10 s)
    const during = await Promise.all([b, c].map((d) => apiPool(d)))
    expect(Date.now(), `B and C read before epoch ${r} closed`).toBeLessThan(closeAtMs(r, h.timing))
    expect(during.map((p) => p.stored)).toEqual(before.map((p) => p.stored))
    const published = await injectRandom(b, 64)
    await waitFinal(nodes, r, h.timing)
    // final epochs refuse late contributions: holding it now means it came before final(r)
    const expected = [...kept.ids, ...(published.epoch === r ? published.ids : [])].sort()
    const beacons = await Promise.all(nodes.map((d) => beaconOf(d, r, true)))
    const entries = await Promise.all(nodes.map((d) => consensusOf(d)))
    for (const [i, d] of nodes.entries()) {
      const who = `epoch ${r} on ${d.peerId}`
      const bc = beacons[i]
      expect([...(bc?.contributions ?? [])].sort(), who).toEqual(expected)
      expect(bc?.verified, who).toBe(true)
      expect(bc?.poolBeacon, who).toBe(beacons[0]?.poolBeacon)
      expect(bc?.digest, who).toBe(beacons[0]?.digest)
      const e = entries[i]?.find((x) => x.epoch === r)
      expectAgreed(e, nodes, who)
      expect(e?.voters, who).toHaveLength(3)
      expect(e?.digest, who).toBe(bc?.digest)
    }
  })

  it('a node killed for several epochs catches up: repair and back-fill, agreed everywhere', async () => {
    const h = hs.killed
    const [a, b] = trioOf(h)
    let [, , c] = trioOf(h)
    const others = [a, b]
    // three epochs with all three nodes, gossip delivered everywhere, then kill -9 C
    const injected: Injected[] = await injectRounds([a, b, c], 3)
    await waitFor(
      () => Promise.all([a, b, c].map((d) => apiPool(d))),
      (pools) => new Set(pools.map((p) => p.digest)).size === 1,
      { intervalMs: 50, what: 'the three replicas equal before the kill' },
    )
    const homeC = c.home
    const peerC = c.peerId
    const killedAt = Date.now()
    expect((await c.kill9()).signal).toBe('SIGKILL')
    // not final when C left: final(r) > killedAt
    let firstOpen = epochAt(killedAt) - FINAL_EPOCHS - 1
    while (finalAtMs(firstOpen, h.timing) <= killedAt) firstOpen++
    // and not before the three ran connected (the test starts right after they met, so
    // the 22 s before the kill reach back past their start)
    firstOpen = Math.max(firstOpen, meshedFrom.get(h) as number)

    // A and B go on: four epochs in a row, then (after two quiet ones) one more
    const down = epochAt(Date.now()) + 1
    const missed: Injected[] = []
    for (let r = down; r < down + 4; r++) {
      await untilEpoch(r)
      missed.push(...(await injectAll(others)))
    }
    // C comes back on the same home when the last of those four is final (back-fill);
    // `late` is injected just before and closes after the restart (repair). The epochs
    // in between, final while C starts, stay empty.
    const fourth = epochsOf(missed).at(-1) as number
    const restartEpoch = fourth + 1 + FINAL_EPOCHS
    const late = restartEpoch - 1
    await untilEpoch(late)
    missed.push(...(await injectAll(others)))
    await untilEpoch(restartEpoch)
    expect(Date.now() - killedAt, 'down for at least four epochs').toBeGreaterThanOrEqual(4000)
    expect(finalAtMs(fourth, h.timing)).toBeLessThanOrEqual(Date.now())
    c = await h.start({ home: homeC, bootstrap: [a.multiaddr, b.multiaddr] })
    expect(c.peerId).toBe(peerC)
    // C must be up while `late` is not final, or it would freeze it as it found it:
    // final(late) is 22 s after the restart, room for a slow start and the repair
    expect(Date.now(), `C back before epoch ${late} is final`).toBeLessThan(
      finalAtMs(late, h.timing),
    )

    const all = [...injected, ...missed]
    const last = epochsOf(missed).at(-1) as number
    await waitFinal([a, b, c], last, h.timing)

    // every injected epoch C was not there to see final: the same beacon, from C's store
    const epochs = epochsOf(all).filter((r) => r >= firstOpen)
    expect(epochs).toEqual(expect.arrayContaining(epochsOf(missed)))
    const beacons = await Promise.all(
      [a, b, c].map((d) =>
        Promise.all(epochs.map((r) => beaconOf(d, r, true).catch((err: Error) => err.message))),
      ),
    )
    for (const [j, r] of epochs.entries()) {
      const ids = idsOf(all, r)
      for (const [i, d] of [a, b, c].entries()) {
        const got = beacons[i]?.[j]
        const who = `beacon ${r} on ${d.peerId}`
        expect(typeof got, `${who}: ${String(got)}`).toBe('object')
        const bc = typeof got === 'object' ? got : undefined
        const first = beacons[0]?.[j]
        const ref = typeof first === 'object' ? first : undefined
        expect([...(bc?.contributions ?? [])].sort(), who).toEqual(ids)
        expect(bc?.verified, who).toBe(true)
        expect(bc?.digest, who).toBe(ref?.digest)
        expect(bc?.poolBeacon, who).toBe(ref?.poolBeacon)
      }
    }

    await eventually(
      async () => {
        // every epoch from firstOpen on, plus those closed since `last`
        const k = epochAt(Date.now()) - firstOpen + 1
        const listings = await Promise.all([a, b, c].map((d) => consensusOf(d, k)))
        for (let r = firstOpen; r <= last; r++)
          for (const [i, d] of [a, b, c].entries())
            expectAgreed(
              listings[i]?.find((x) => x.epoch === r),
              others,
              `epoch ${r} on ${d.peerId}`,
            )
      },
      { what: 'every epoch not final when C left agreed on all three' },
    )

    // the three replicas hold the same contributions again
    const pools = await Promise.all([a, b, c].map((d) => pool(d.home)))
    expect(pools.map((p) => p.stored)).toEqual([
      pools[0]?.stored,
      pools[0]?.stored,
      pools[0]?.stored,
    ])
    expect(new Set(pools.map((p) => p.digest)).size).toBe(1)
  })
})
