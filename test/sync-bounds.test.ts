import type { InjectResponse } from '@alara/daemon'
import { fromHex, SYNC_LIMITS, type SyncRequest } from '@alara/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiOf, apiPool } from './helpers/api.js'
import type { DaemonProcess } from './helpers/daemon.js'
import { atNextEpoch, beaconOf, injectRandom, startNodes, waitFinal } from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { rssOf } from './helpers/rss.js'
import { SyncPeer } from './helpers/sync-peer.js'
import { waitFor } from './helpers/wait.js'

/**
 * The sync protocol under hostile load (docs/OPERATIONS.md "Limits"), against real daemons
 * and test peers speaking /alara/sync/1.0.0 (helpers/sync-peer.ts):
 * (a) an epoch of 5,056 stored contributions (79 throw-away origins × 64) held by a peer
 *     repairs completely on a daemon that never saw it: paged IDS and CONTRIBUTIONS;
 * (b) slow-loris and flood: streams that never read their answers and requests whose
 *     frame never ends, from several connections; requests at full speed from several
 *     more; a peer that never answers. The daemon's peak RSS stays within RSS_BOUND_MIB
 *     and an honest repair (a contribution kept on the flooded node) completes before final.
 */

/**
 * Closed at end + 10 s, final at end + 22 s: the 5,056 contributions are stored within
 * ~2 s of the epoch's start on a quiet machine (5× room before close), and the admission
 * deadline (end + 10 s + 4 rounds of 3 s) is not past final. (15 s / 30 s cost ~16 s more.)
 */
const ROUND_MS = 3_000
const h = new Harness('sync-bounds', { graceMs: 10_000, finalMs: 22_000, roundMs: ROUND_MS })
/** peak RSS the flooded daemon may reach (its start-up peak is ~150 MiB on this machine) */
const RSS_BOUND_MIB = 400
const ORIGINS = 79
const EACH = 64

let a: DaemonProcess
let b: DaemonProcess
const peers: SyncPeer[] = []
let big: { epoch: number; ids: string[] } | undefined

beforeAll(async () => {
  ;[a, b] = (await startNodes(h, 2)) as [DaemonProcess, DaemonProcess]
  await connectMesh([a, b])
})
afterAll(async () => {
  await Promise.allSettled(peers.map((p) => p.stop()))
  await h.cleanup()
})

const newPeer = async (mode: 'serve' | 'silent' = 'serve'): Promise<SyncPeer> => {
  const p = await SyncPeer.create({
    network: h.network,
    params: { ...h.timing, roundMs: ROUND_MS },
    mode,
  })
  peers.push(p)
  return p
}

describe('sync bounds', () => {
  it('an epoch of 5,056 stored contributions repairs completely through paged answers', async () => {
    const server = await newPeer()
    const before = (await apiPool(a)).stored
    const nowMs = Date.now()
    const ids = (await server.storeSigned(ORIGINS, EACH, nowMs)).sort()
    expect(ids.length).toBe(ORIGINS * EACH)
    expect(ids.length).toBeGreaterThan(SYNC_LIMITS.maxIds) // more than one IDS page
    const epoch = Math.floor(nowMs / h.timing.epochMs)
    big = { epoch, ids }
    // The origins never connect to A themselves, so they are strangers there until A's
    // trust store lists them (docs/PROTOCOL.md, "Membership"): an operator adding members.
    const api = await apiOf(a)
    for (const origin of server.origins) await api.put(`/v1/trust/${origin}`, { trust: 0.8 })
    await server.dial(a.multiaddr) // A catches up with it on connect
    await waitFor(
      () => apiPool(a),
      (p) => p.stored >= before + ids.length,
      { timeoutMs: 120_000, intervalMs: 250, what: `A storing the ${ids.length} contributions` },
    )
    await waitFinal([a], epoch, h.timing)
    const beacon = await beaconOf(a, epoch, true)
    expect(beacon.verified).toBe(true)
    // every one of them is in A's final set of that epoch (members at trust 0.8)
    expect([...beacon.contributions].sort()).toEqual(expect.arrayContaining(ids))
    expect(beacon.contributions.length).toBeGreaterThanOrEqual(ids.length)
  }, 240_000)

  it('slow-loris, flood and a silent peer: memory bounded, honest repair before final', async () => {
    expect(big, 'the first test stored a large epoch on A').toBeDefined()
    const { epoch, ids } = big as { epoch: number; ids: string[] }
    const pid = a.pid as number
    const baseline = await rssOf(pid)
    const network = h.network
    // answers as large as A gives: a page of contributions, a page of ids
    const heavy: SyncRequest = {
      kind: 'contributions',
      network,
      ids: ids.slice(0, SYNC_LIMITS.maxIds).map((x) => fromHex(x)),
    }
    const idsReq: SyncRequest = { kind: 'ids', network, epoch }

    const silent = await newPeer('silent')
    await silent.dial(a.multiaddr)
    const lorises = await Promise.all(Array.from({ length: 8 }, () => newPeer()))
    const flooders = await Promise.all(Array.from({ length: 4 }, () => newPeer()))
    const opened = await Promise.all(
      lorises.map(
        async (p) =>
          (await p.openUnread(a.multiaddr, 8, heavy)) + (await p.openUnfinished(a.multiaddr, 8)),
      ),
    )
    const stopFlood = new AbortController()
    const flood = Promise.all(
      flooders.map((p) => p.flood(a.multiaddr, idsReq, 8, stopFlood.signal)),
    )
    let peak = baseline.peakMiB
    const sampler = setInterval(() => {
      rssOf(pid)
        .then((r) => {
          peak = Math.max(peak, r.rssMiB)
        })
        .catch(() => undefined)
    }, 200)

    try {
      // honest work on the flooded node: a contribution kept on A reaches B by repair
      await atNextEpoch()
      const kept = await injectRandom(a, 64, false)
      await injectRandom(b, 64)
      const client = await apiOf(a)
      const latencies: number[] = []
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now()
        await client.post<InjectResponse>('/v1/inject', { random: 64 })
        latencies.push(performance.now() - t0)
      }
      await waitFinal([a, b], kept.epoch, h.timing)
      const onB = await beaconOf(b, kept.epoch, true)
      expect(onB.contributions).toEqual(expect.arrayContaining(kept.ids))
      const onA = await beaconOf(a, kept.epoch, true)
      expect(onB.digest).toBe(onA.digest)
      stopFlood.abort()
      const counts = await flood
      const final = await rssOf(pid)
      peak = Math.max(peak, final.peakMiB)
      console.log(
        JSON.stringify({
          opened: opened.reduce((x, y) => x + y, 0),
          flood: counts,
          baselineMiB: Math.round(baseline.rssMiB),
          peakMiB: Math.round(peak),
          injectMs: latencies.map((x) => Math.round(x)),
        }),
      )
      expect(peak, `peak RSS ${peak} MiB`).toBeLessThan(RSS_BOUND_MIB)
      // the flood was served (throttled), not just refused
      expect(counts.reduce((n, c) => n + c.answered, 0)).toBeGreaterThan(0)
    } finally {
      clearInterval(sampler)
      stopFlood.abort()
    }
  }, 240_000)
})
