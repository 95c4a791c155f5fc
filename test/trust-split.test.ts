import { afterAll, describe, expect, it } from 'vitest'
import type { DaemonProcess } from './helpers/daemon.js'
import {
  beaconOf,
  beaconOrNone,
  type ConsensusEntryJson,
  consensusOf,
  epochsOf,
  idsOf,
  injectRounds,
  startNodes,
  waitFinal,
} from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { pool, setTrust, trustList } from './helpers/node-state.js'

/**
 * DESIGN.md "Folding" and "Epochs and consensus": trust is local folding policy. D sets
 * origin A's trust to 0 before A injects, so D stores A's contributions but does not fold
 * them: for every epoch holding some of A's, D's digest leaves them out. D then counts
 * itself (1) against B and C (0.8 each, both dissenting; A's vote, trust 0, is listed but
 * not counted): agreement 1 / 2.6, `split`. A, B and C fold everything: agreement
 * (1 + 0.8 + 0.8) / 3.4 ≥ 2/3, `agreed`, with D the one dissenter. An epoch without A's
 * contributions is agreed everywhere.
 */

// final at end + 10 s (config.json): room for a late gossip message to be repaired before
// the epoch freezes, on a busy machine
const h = new Harness('trust-split', { finalMs: 10_000 })
afterAll(() => h.cleanup())

const ids = (ns: DaemonProcess[]): Set<string> => new Set(ns.map((n) => n.peerId))

describe('trust split', () => {
  it("D with A at trust 0 splits on A's epochs; A, B and C agree", async () => {
    const [a, b, c, d] = (await startNodes(h, 4)) as [
      DaemonProcess,
      DaemonProcess,
      DaemonProcess,
      DaemonProcess,
    ]
    const all = [a, b, c, d]
    await connectMesh(all)
    await setTrust(d.home, a.peerId, 0)
    // A set by hand; B and C are automatic LAN members (they connected from loopback)
    const listed = await trustList(d.home)
    expect(listed.filter((e) => e.source === 'manual')).toEqual([
      { peerId: a.peerId, trust: 0, active: true, source: 'manual' },
    ])
    expect(
      listed
        .filter((e) => e.source === 'lan')
        .map((e) => e.peerId)
        .sort(),
    ).toEqual([b.peerId, c.peerId].sort())

    // two epochs with A, B and C injecting, then one with B and C only
    const withA = await injectRounds([a, b, c], 2)
    const withoutA = await injectRounds([b, c], 1)
    const injected = [...withA, ...withoutA]
    const aEpochs = epochsOf(injected.filter((x) => x.node === a))
    const quiet = epochsOf(withoutA).filter((r) => !aEpochs.includes(r))
    expect(quiet.length).toBeGreaterThan(0)
    await waitFinal(all, Math.max(...epochsOf(injected)), h.timing)

    const listings = await Promise.all(all.map((n) => consensusOf(n)))
    const entry = (n: DaemonProcess, r: number): ConsensusEntryJson => {
      const e = listings[all.indexOf(n)]?.find((x) => x.epoch === r)
      if (e === undefined) throw new Error(`${n.peerId} lists no consensus entry for epoch ${r}`)
      return e
    }

    for (const r of aEpochs) {
      const everything = idsOf(injected, r)
      const withoutAs = idsOf(injected, r, [b, c])
      expect(withoutAs.length).toBeLessThan(everything.length)

      // A, B and C folded everything and agree, D dissenting
      const digest = entry(a, r).digest
      for (const n of [a, b, c]) {
        const e = entry(n, r)
        const who = `epoch ${r} on ${n.peerId}`
        expect(e.status, who).toBe('agreed')
        expect(e.agreement, who).toBeCloseTo(2.6 / 3.4, 9)
        expect(e.digest, who).toBe(digest)
        expect(e.count, who).toBe(everything.length)
        expect(new Set(e.voters.map((v) => v.peerId)), who).toEqual(ids(all))
        for (const v of e.voters)
          expect(v.agrees, `${who}: voter ${v.peerId}`).toBe(v.peerId !== d.peerId)
        expect(
          e.dissenters?.map((x) => x.peerId),
          who,
        ).toEqual([d.peerId])
        const beacon = await beaconOf(n, r, true)
        expect([...beacon.contributions].sort(), who).toEqual(everything)
        expect(beacon.verified, who).toBe(true)
      }

      // D left A's out: a digest of its own, split, B and C named as dissenters
      const e = entry(d, r)
      const who = `epoch ${r} on D ${d.peerId}`
      expect(e.status, who).toBe('split')
      expect(e.digest, who).not.toBe(digest)
      expect(e.count, who).toBe(withoutAs.length)
      expect(e.agreement, who).toBeCloseTo(1 / 2.6, 9)
      const voter = (n: DaemonProcess) => e.voters.find((v) => v.peerId === n.peerId)
      expect(voter(d)?.agrees, `${who}: itself`).toBe(true)
      for (const n of [a, b, c]) {
        expect(voter(n)?.digest, `${who}: voter ${n.peerId}`).toBe(digest)
        expect(voter(n)?.agrees, `${who}: voter ${n.peerId}`).toBe(false)
      }
      expect(voter(a)?.trust, `${who}: A's trust`).toBe(0)
      expect(voter(a)?.counted, `${who}: A's vote does not count`).toBe(false)
      // the dissenters: every counted voter whose digest differs from D's
      const dissenting = e.voters.filter((v) => !v.agrees && v.counted !== false)
      expect(new Set(dissenting.map((v) => v.peerId)), who).toEqual(ids([b, c]))
      expect(new Set(e.dissenters?.map((x) => x.peerId)), who).toEqual(ids([b, c]))
      for (const x of e.dissenters ?? []) expect(x.digest, who).toBe(digest)
      // on a busy machine B's and C's injections may have landed in another epoch: then
      // D folded nothing in r and has no beacon for it
      const beacon = await beaconOrNone(d, r)
      expect([...(beacon?.contributions ?? [])].sort(), who).toEqual(withoutAs)
      if (beacon !== undefined) {
        expect(beacon.digest, who).toBe(e.digest)
        expect(beacon.verified, who).toBe(true)
      }
    }

    // without A's contributions nothing differs: agreed on all four, D included
    for (const r of quiet)
      for (const n of all) {
        const e = entry(n, r)
        const who = `epoch ${r} (without A) on ${n.peerId}`
        expect(e.status, who).toBe('agreed')
        expect(e.agreement, who).toBe(1)
        expect(e.digest, who).toBe(entry(a, r).digest)
        expect(e.count, who).toBe(idsOf(injected, r).length)
      }

    // D stores A's contributions but does not fold them
    const pools = await Promise.all(all.map((n) => pool(n.home)))
    const fromA = injected.filter((x) => x.node === a).flatMap((x) => x.ids).length
    const total = injected.flatMap((x) => x.ids).length
    for (const [i, n] of all.entries()) {
      expect(pools[i]?.stored, `stored on ${n.peerId}`).toBe(total)
      expect(pools[i]?.folded, `folded on ${n.peerId}`).toBe(n === d ? total - fromA : total)
    }
    expect(pools[3]?.stored).toBeGreaterThan(pools[3]?.folded as number)
  })
})
