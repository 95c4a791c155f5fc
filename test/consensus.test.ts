import { afterAll, describe, expect, it } from 'vitest'
import {
  beaconOf,
  consensusOf,
  epochsOf,
  idsOf,
  injectRounds,
  peerVotesOf,
  sharedDraw,
  startNodes,
  statusOf,
  waitFinal,
} from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { eventually } from './helpers/wait.js'

/**
 * DESIGN.md "Epochs and consensus": four honest nodes that all hear every contribution
 * close each epoch with the same digest, so every one of them shows the epoch `agreed`
 * with agreement 1 and all four voters agreeing; the beacon, its verification from the
 * stored signed contributions and the shared draw `random --epoch R` are then the same
 * everywhere. status carries the newest entry, peers counts the votes.
 */

// final at end + 10 s (config.json): room for a late gossip message to be repaired before
// the epoch freezes, on a busy machine
const h = new Harness('consensus', { finalMs: 10_000 })
afterAll(() => h.cleanup())

describe('consensus', () => {
  it('four nodes injecting in three epochs agree on every one of them', async () => {
    const nodes = await startNodes(h, 4)
    await connectMesh(nodes)
    const ids = new Set(nodes.map((d) => d.peerId))

    const injected = await injectRounds(nodes, 3)
    const epochs = epochsOf(injected)
    expect(epochs.length).toBeGreaterThanOrEqual(3)
    const last = epochs[epochs.length - 1] as number
    await waitFinal(nodes, last, h.timing)

    // one consensus listing per node covers every injected epoch
    const listings = await Promise.all(nodes.map((d) => consensusOf(d)))
    const beacons = await Promise.all(
      nodes.map((d) => Promise.all(epochs.map((r) => beaconOf(d, r, true)))),
    )
    const draws = await Promise.all(
      nodes.map((d) => Promise.all(epochs.map((r) => sharedDraw(d, r, 32)))),
    )
    for (const [k, r] of epochs.entries()) {
      const expectedIds = idsOf(injected, r)
      const digests = new Set<string>()
      for (const [i, d] of nodes.entries()) {
        const who = `epoch ${r} on ${d.peerId}`
        const e = listings[i]?.find((x) => x.epoch === r)
        expect(e, `${who}: consensus entry`).toBeDefined()
        if (e === undefined) continue
        digests.add(e.digest)
        expect(e.status, who).toBe('agreed')
        expect(e.agreement, who).toBe(1)
        expect(e.count, who).toBe(expectedIds.length)
        expect(e.voters, who).toHaveLength(4)
        expect(new Set(e.voters.map((v) => v.peerId)), who).toEqual(ids)
        for (const v of e.voters) {
          expect(v.agrees, `${who}: voter ${v.peerId}`).toBe(true)
          expect(v.digest, `${who}: voter ${v.peerId}`).toBe(e.digest)
        }
        expect(e.dissenters ?? [], who).toEqual([])

        const b = beacons[i]?.[k]
        expect(b?.epoch, `beacon ${who}`).toBe(r)
        expect(b?.verified, `beacon ${who}`).toBe(true)
        expect([...(b?.contributions ?? [])].sort(), `beacon ${who}`).toEqual(expectedIds)
        expect(b?.count, `beacon ${who}`).toBe(expectedIds.length)
        expect(b?.digest, `beacon ${who}`).toBe(e.digest)
        expect(b?.poolBeacon, `beacon ${who}`).toMatch(/^[0-9a-f]{64}$/)
        expect(b?.poolBeacon, `beacon ${who}`).toBe(beacons[0]?.[k]?.poolBeacon)
        // the shared beacon Ω_r: every member committed and revealed, all hold the same
        expect(b?.status, `shared beacon ${who}`).toBe('revealed')
        expect(b?.beacon, `shared beacon ${who}`).toMatch(/^[0-9a-f]{64}$/)
        expect(b?.beacon, `shared beacon ${who}`).toBe(beacons[0]?.[k]?.beacon)
        expect(b?.commitsDigest, `shared beacon ${who}`).toBe(beacons[0]?.[k]?.commitsDigest)
        // every node's commit, unless its commit moment came after close on a busy machine
        expect(b?.commits.length, `shared beacon ${who}`).toBeGreaterThanOrEqual(1)
        for (const p of b?.commits ?? []) expect(ids, `shared beacon ${who}`).toContain(p)
        expect(b?.commits, `shared beacon ${who}`).toEqual(beacons[0]?.[k]?.commits)
        expect(b?.withheld, `shared beacon ${who}`).toEqual([])
        expect(b?.equivocating, `shared beacon ${who}`).toEqual([])

        const draw = draws[i]?.[k]
        expect(draw?.epoch, `random --epoch ${r} on ${d.peerId}`).toBe(r)
        expect(draw?.bytes, `random --epoch ${r} on ${d.peerId}`).toMatch(/^[0-9a-f]{64}$/)
        expect(draw?.bytes, `random --epoch ${r} on ${d.peerId}`).toBe(draws[0]?.[k]?.bytes)
      }
      expect(digests.size, `digests of epoch ${r} on the four nodes`).toBe(1)
    }
    // different epochs, different beacons and draws
    expect(new Set(beacons[0]?.map((b) => b.poolBeacon)).size).toBe(epochs.length)
    expect(new Set(beacons[0]?.map((b) => b.beacon)).size).toBe(epochs.length)
    expect(new Set(draws[0]?.map((d) => d.bytes)).size).toBe(epochs.length)

    // status --json: the newest closed epoch's consensus entry, as consensus lists it
    for (const d of nodes)
      await eventually(
        async () => {
          const [s, newest] = await Promise.all([statusOf(d), consensusOf(d, 1)])
          expect(s.peerId).toBe(d.peerId)
          expect(s.peers).toBe(3)
          expect(s.lastFinalEpoch).toBeGreaterThanOrEqual(last)
          expect(s.consensus).not.toBeNull()
          expect(s.consensus?.epoch).toBeGreaterThanOrEqual(last)
          expect(s.consensus).toEqual(newest[0])
          expect(s.consensus?.status).toBe('agreed')
        },
        // an epoch closing between the two answers makes them differ: ask again
        { what: `status --json of ${d.peerId} carrying the latest entry` },
      )

    // peers --json: every other node voted, always with this node's digest
    for (const d of nodes) {
      const peers = await peerVotesOf(d)
      for (const o of nodes.filter((x) => x !== d)) {
        const p = peers.find((x) => x.peerId === o.peerId)
        const who = `${o.peerId} in peers of ${d.peerId}`
        expect(p, who).toBeDefined()
        expect(p?.connected, who).toBe(true)
        expect(p?.epochsVoted, who).toBeGreaterThanOrEqual(epochs.length)
        expect(p?.epochsAgreed, who).toBe(p?.epochsVoted)
        expect(p?.lastVoteEpoch, who).toBeGreaterThanOrEqual(last)
      }
    }
  })
})
