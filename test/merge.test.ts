import { afterAll, describe, expect, it } from 'vitest'
import type { DaemonProcess } from './helpers/daemon.js'
import {
  type BeaconJson,
  beaconOf,
  beaconOrNone,
  consensusOf,
  epochAt,
  epochsOf,
  finalAtMs,
  type Injected,
  idsOf,
  injectAll,
  startNodes,
  untilEpoch,
  waitFinal,
} from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { connect, connectMesh, waitConnected } from './helpers/network.js'
import { pool } from './helpers/node-state.js'
import { eventually } from './helpers/wait.js'

/**
 * DESIGN.md `merge_networks` and "Catch-up": two groups that ran apart merge by union
 * once they connect. Precisely: catch-up repairs every epoch that is not final and
 * differs, so epochs still open or closed when the groups meet end with the union on all
 * four nodes; an epoch already final on a node when they met stays frozen exactly as it
 * was there (each group keeps its own set, and the nodes that compared votes see it
 * split); epochs after the merge are agreed by all four.
 *
 * Timeline (epoch x = the first round): both groups inject in x and x + 1, which are
 * final before the groups meet; again in m, and the groups connect (every cross pair, as
 * mDNS would on a LAN: LAN membership needs a direct connection) early in m; after the
 * merge all four inject in two more epochs.
 *
 * The timing holds by construction: final is end + 15 s here (config.json finalMs), so m
 * is far from final when the groups meet; an epoch closes at end + 5 s, so an item has
 * seconds to reach every node; and every check reads the epoch each injection really
 * got (`inject` reports it), never the one it was aimed at. On a busy
 * machine the four injections of a round can land in two epochs, so a frozen epoch may
 * hold one group's contributions only: the other group then has none folded there and
 * says so (`beacon R` answers ERR_NOT_FOUND), which is what "apart" means.
 */

// Closed at end + 5 s, admission rounds of 2 s (deadline end + 13 s, before final at
// end + 15 s): an item that missed a node by gossip while the mesh spans the groups has
// seconds to arrive, not 250 ms rounds (one did not, beside another file and stress-ng)
const h = new Harness('merge', { graceMs: 5_000, finalMs: 15_000, roundMs: 2_000 })
afterAll(() => h.cleanup())

const sortIds = (b: BeaconJson | undefined): string[] => [...(b?.contributions ?? [])].sort()

describe('merge', () => {
  it('two groups that ran apart merge: union where not final, frozen where final, agreed after', async () => {
    const [a, b, c, d] = (await startNodes(h, 4)) as [
      DaemonProcess,
      DaemonProcess,
      DaemonProcess,
      DaemonProcess,
    ]
    const g1 = [a, b]
    const g2 = [c, d]
    const all = [a, b, c, d]
    const groupOf = (n: DaemonProcess): DaemonProcess[] => (g1.includes(n) ? g1 : g2)
    await connectMesh(g1)
    await connectMesh(g2)

    const injected: Injected[] = []
    const x = epochAt(Date.now()) + 1
    for (const r of [x, x + 1]) {
      await untilEpoch(r)
      injected.push(...(await injectAll(all)))
    }
    // those epochs final everywhere: how each node froze them, before the groups meet
    const frozenEpochs = epochsOf(injected)
    await waitFinal(all, frozenEpochs.at(-1) as number, h.timing)
    const frozen = await Promise.all(
      all.map((n) => Promise.all(frozenEpochs.map((r) => beaconOrNone(n, r)))),
    )
    for (const [i, n] of all.entries())
      for (const [j, r] of frozenEpochs.entries()) {
        const bc = frozen[i]?.[j]
        const own = idsOf(injected, r, groupOf(n))
        expect(sortIds(bc), `epoch ${r} on ${n.peerId} before the merge`).toEqual(own)
        if (own.length > 0) expect(bc?.verified).toBe(true)
      }
    // the two groups froze different sets: their beacons differ
    expect(frozen[0]?.[0]?.poolBeacon).not.toBe(frozen[2]?.[0]?.poolBeacon)

    // m: the far ends A and D inject, then B connects to C, well before m is final
    const m = epochAt(Date.now()) + 1
    await untilEpoch(m)
    const atM = await injectAll([a, d])
    injected.push(...atM)
    await connect(b, c)
    const connectedAt = Date.now()
    const mEpochs = epochsOf(atM)
    expect(
      finalAtMs(mEpochs[0] as number, h.timing) - connectedAt,
      'm far from final at the merge',
    ).toBeGreaterThan(2000)
    // LAN membership is per origin and needs a direct connection (docs/PROTOCOL.md,
    // "Membership"): on a LAN, mDNS would connect every pair; these tests run without
    // mDNS, so the other cross-group pairs connect too (at once, as discovery would).
    await Promise.all([connect(a, c), connect(a, d), connect(b, d)])
    await waitConnected(b, [a, c])

    // after the merge, two rounds by all four, once the gossip mesh spans both groups
    const after: Injected[] = []
    for (const r of [m + 2, m + 3]) {
      await untilEpoch(r)
      after.push(...(await injectAll(all)))
    }
    injected.push(...after)
    const afterEpochs = epochsOf(after)
    await waitFinal(all, afterEpochs.at(-1) as number, h.timing)

    // m: not final when they met, so every node ends with the union, agreed
    // after the merge: agreed by all four, with the same beacon
    const listings = await Promise.all(all.map((n) => consensusOf(n)))
    const checked = [...mEpochs, ...afterEpochs]
    const beacons = await Promise.all(
      all.map((n) => Promise.all(checked.map((r) => beaconOf(n, r, true)))),
    )
    for (const [j, r] of checked.entries()) {
      const union = idsOf(injected, r)
      for (const [i, n] of all.entries()) {
        const who = `epoch ${r} on ${n.peerId}`
        const bc = beacons[i]?.[j] as BeaconJson
        expect(sortIds(bc), who).toEqual(union)
        expect(bc.verified, who).toBe(true)
        expect(bc.poolBeacon, who).toBe(beacons[0]?.[j]?.poolBeacon)
        const e = listings[i]?.find((x) => x.epoch === r)
        expect(e?.status, who).toBe('agreed')
        expect(e?.agreement, who).toBe(1)
        expect(e?.digest, who).toBe(bc.digest)
        for (const v of e?.voters ?? []) expect(v.agrees, `${who}: voter ${v.peerId}`).toBe(true)
        if (afterEpochs.includes(r))
          expect(new Set(e?.voters.map((v) => v.peerId)), who).toEqual(
            new Set(all.map((o) => o.peerId)),
          )
      }
    }

    // x and x + 1 were final when they met: frozen as they were on each node
    const frozenAfter = await Promise.all(
      all.map((n) => Promise.all(frozenEpochs.map((r) => beaconOrNone(n, r)))),
    )
    for (const [i, n] of all.entries())
      for (const [j, r] of frozenEpochs.entries()) {
        const now = frozenAfter[i]?.[j]
        const then = frozen[i]?.[j]
        const who = `epoch ${r} on ${n.peerId} after the merge`
        expect(sortIds(now), who).toEqual(sortIds(then))
        expect(now?.digest, who).toBe(then?.digest)
        expect(now?.poolBeacon, who).toBe(then?.poolBeacon)
        expect(now?.verified, who).toBe(then?.verified)
      }
    // B and C compared votes over the window in their catch-up: there the frozen
    // epochs are split, the other group dissenting
    for (const [n, others] of [
      [b, g2],
      [c, g1],
    ] as const)
      await eventually(
        async () => {
          const list = await consensusOf(n)
          for (const r of frozenEpochs) {
            const e = list.find((x) => x.epoch === r)
            const who = `frozen epoch ${r} on ${n.peerId}`
            expect(e?.status, who).toBe('split')
            expect(new Set(e?.dissenters?.map((x) => x.peerId)), who).toEqual(
              new Set(others.map((o) => o.peerId)),
            )
          }
        },
        { what: `the frozen epochs split on ${n.peerId}` },
      )

    // stores: all of the own group, the other group's from m on; same within a group
    const pools = await Promise.all(all.map((n) => pool(n.home)))
    for (const [i, n] of all.entries()) {
      const own = injected.filter((x) => groupOf(n).includes(x.node))
      const theirs = injected.filter((x) => !groupOf(n).includes(x.node) && x.epoch >= m)
      expect(theirs.length).toBeGreaterThan(0)
      const expected = [...own, ...theirs].flatMap((x) => x.ids).length
      expect(pools[i]?.stored, `stored on ${n.peerId}`).toBe(expected)
      expect(pools[i]?.folded, `folded on ${n.peerId}`).toBe(expected)
    }
    expect(pools[0]?.digest).toBe(pools[1]?.digest)
    expect(pools[2]?.digest).toBe(pools[3]?.digest)
    expect(pools[0]?.digest).not.toBe(pools[2]?.digest)
  })
})
