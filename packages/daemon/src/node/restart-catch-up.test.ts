import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeSyncResponse, type SyncRequest, toHex } from '@alara/protocol'
import type { PeerId } from '@libp2p/interface'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RepairService } from '../sync/repair.js'
import type { SyncRequester } from '../sync/sync-client.js'
import { SyncServer } from '../sync/sync-server.js'
import {
  type FakeComponents,
  fakeComponents,
  fakePeer,
  signedContribution,
} from '../test-helpers/fake-components.js'
import { EpochService } from './epochs.js'
import { Ingest } from './ingest.js'
import { restoreState } from './restore.js'

/**
 * DESIGN.md "Catch-up", with a fake clock and no network: a node restarted at any phase
 * of the epoch never freezes the epoch that was closed but not final (or still open) when
 * it started before it has heard the quorum of its voters, and then freezes the set they
 * voted, never a union. Two peers A and B hold 8 contributions of epoch r and have voted
 * it; the restarted node L held 0 or 1 of them (and, in one case, one they never saw).
 */

const EPOCH_MS = 1000
/** restart moments after end(r), in ms: before close (grace 200), closed, nearly final */
const PHASES = [0, 50, 150, 300, 450, 600, 750, 900, 1200, 1600, 2100, 2700, 2950]

const open: FakeComponents[] = []
const dirs: string[] = []
const stops: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
  for (const f of open.splice(0)) await f.close()
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

async function node(startMs: number, storeDir?: string): Promise<FakeComponents> {
  const f = await fakeComponents({
    startMs,
    config: { epochMs: EPOCH_MS, graceMs: 200 },
    ...(storeDir !== undefined ? { storeDir } : {}),
  })
  open.push(f)
  return f
}

const noGossip = { publishVote: async () => {} }

/** A peer that took in `contributions` for epoch r, closed it and voted. */
async function peer(startMs: number, r: number, contributions: Uint8Array[]) {
  const f = await node(startMs)
  const ingest = new Ingest(f.components)
  for (const c of contributions) await ingest.contribution(c, { via: 'gossip' })
  f.clock.ms = (r + 1) * EPOCH_MS + 250
  await new EpochService(f.components, { gossip: noGossip }).closeEpoch(r)
  return { f, ingest, server: new SyncServer(f.components) }
}

type Peer = Awaited<ReturnType<typeof peer>>

/** Each peer's vote, also known to the other (gossip between them). */
function exchangeVotes(peers: Peer[], r: number): void {
  for (const from of peers)
    for (const to of peers) {
      if (from === to) continue
      const own = from.f.components.state.votes.voteOf(r, from.f.components.selfHex)
      if (own === undefined) throw new Error('the peer did not vote')
      to.ingest.vote(own.encoded, { via: 'gossip' })
    }
}

async function restarted(storeDir: string, atMs: number, peers: Peer[]) {
  const l = await node(atMs, storeDir)
  const byId = new Map(peers.map((p) => [p.f.components.peerId.toString(), p]))
  const request: SyncRequester = async (to: PeerId, req: SyncRequest) => {
    const target = byId.get(to.toString())
    if (target === undefined) throw new Error(`no peer ${to.toString()}`)
    const res = decodeSyncResponse(target.server.answer(req))
    if (res.status !== 'ok') throw new Error(`answered ${res.status}`)
    return res
  }
  await restoreState(l.components)
  const ingest = new Ingest(l.components)
  const epochs = new EpochService(l.components, { gossip: noGossip })
  const repair = new RepairService(l.components, {
    ingest,
    epochs,
    request,
    peers: () => [],
  })
  await epochs.start()
  repair.start()
  stops.push(
    () => epochs.stop(),
    () => repair.stop(),
  )
  for (const p of peers) l.connected.push(p.f.components.peerId)
  return { l, epochs, repair }
}

async function scenario(phaseMs: number, opts: { localHolds: number; extra?: boolean }) {
  const author = await fakePeer()
  const r = 200
  const startOfR = r * EPOCH_MS + 10
  const base = await node(startOfR)
  const contributions: Uint8Array[] = []
  for (let i = 1; i <= 8; i++)
    contributions.push(
      await signedContribution(author.key, base.components, {
        seq: i,
        timestampMs: startOfR + i * 100,
      }),
    )
  const peers = [await peer(startOfR, r, contributions), await peer(startOfR, r, contributions)]
  exchangeVotes(peers, r)
  // L before the crash: it held the first `localHolds` of them (and maybe one of its own)
  const storeDir = await mkdtemp(join(tmpdir(), 'alara-restart-'))
  dirs.push(storeDir)
  const before = await node(startOfR, storeDir)
  const ingest = new Ingest(before.components)
  for (const c of contributions.slice(0, opts.localHolds))
    await ingest.contribution(c, { via: 'gossip' })
  if (opts.extra === true)
    await ingest.contribution(
      await signedContribution(author.key, before.components, { seq: 9, timestampMs: startOfR }),
      { via: 'gossip' },
    )
  await before.components.store.flush()
  await before.close()
  open.splice(open.indexOf(before), 1)

  const restart = await restarted(storeDir, (r + 1) * EPOCH_MS + phaseMs, peers)
  const peersDigest = toHex(peers[0]?.f.components.state.replica.digest(r) ?? new Uint8Array())
  return { ...restart, r, peers, peersDigest }
}

const finalMsOf = (f: FakeComponents, r: number): number =>
  (r + 1) * EPOCH_MS + f.components.params.finalMs

describe('a restarted node and the epoch that was not final when it started', () => {
  it.each(PHASES)(
    'restarted %i ms after the epoch ended: not frozen before catch-up, then the peers’ set',
    async (phaseMs) => {
      const { l, epochs, repair, r, peers, peersDigest } = await scenario(phaseMs, {
        localHolds: phaseMs % 2 === 0 ? 1 : 0,
      })
      const { state } = l.components
      expect(state.backfill.has(r)).toBe(true)
      // the worst order: final by the clock before any catch-up completed
      if (phaseMs < l.components.params.graceMs) {
        l.clock.ms = (r + 1) * EPOCH_MS + l.components.params.graceMs
        await epochs.closeEpoch(r)
        // it ended before the start: the node holds part of it and votes nothing
        expect(state.votes.voteOf(r, l.components.selfHex)).toBeUndefined()
      }
      l.clock.ms = finalMsOf(l, r) + 1
      await epochs.finalizeEpoch(r)
      expect(state.replica.isFinal(r), 'frozen on the clock before catching up').toBe(false)
      // one of two voters heard: not a quorum of 2/3
      await repair.catchUp(peers[0]?.f.components.peerId as PeerId)
      expect(state.replica.isFinal(r)).toBe(false)
      await repair.catchUp(peers[1]?.f.components.peerId as PeerId)
      expect(state.replica.isFinal(r)).toBe(true)
      expect(toHex(state.replica.digest(r))).toBe(peersDigest)
      expect((await l.components.store.getFinal(r))?.length).toBe(8)
      expect(state.backfill.has(r)).toBe(false)
    },
  )

  it('catch-up before the epoch is final: at final its voters’ final votes, then the peers’ set', async () => {
    const { l, epochs, repair, r, peers, peersDigest } = await scenario(300, { localHolds: 1 })
    for (const p of peers) await repair.catchUp(p.f.components.peerId)
    expect(l.components.state.replica.isFinal(r)).toBe(false) // not final by the clock yet
    l.clock.ms = finalMsOf(l, r) + 1
    await epochs.finalizeEpoch(r)
    // the votes heard before final may have been superseded since: asked again, then frozen
    expect(l.components.state.replica.isFinal(r)).toBe(false)
    expect(l.eventsOf('catch-up:wanted')).toEqual([
      {
        epoch: r,
        peerIds: expect.arrayContaining(peers.map((p) => p.f.components.peerId.toString())),
      },
    ])
    await vi.waitFor(() => expect(l.components.state.replica.isFinal(r)).toBe(true))
    expect(toHex(l.components.state.replica.digest(r))).toBe(peersDigest)
  })

  it('an item only this node held is not unioned in: it takes the set the quorum voted', async () => {
    const { l, epochs, repair, r, peers, peersDigest } = await scenario(600, {
      localHolds: 1,
      extra: true,
    })
    for (const p of peers) await repair.catchUp(p.f.components.peerId)
    l.clock.ms = finalMsOf(l, r) + 1
    await epochs.finalizeEpoch(r)
    const { state } = l.components
    // its set differs from the quorum's: repair asks a voter for the ids behind their
    // digest (BEHIND), checks them, and the epoch freezes with exactly those
    await vi.waitFor(() => expect(state.replica.isFinal(r)).toBe(true))
    expect(toHex(state.replica.digest(r))).toBe(peersDigest)
    expect(state.replica.foldedCount(r)).toBe(8)
    expect(state.replica.summary(r).stored).toBe(9) // kept, not folded
    expect((await l.components.store.getFinal(r))?.map(toHex).sort()).toEqual(
      state.replica.foldedIdsOf(r),
    )
  })

  it('a node alone since start (no member known) freezes finalMs after its start', async () => {
    const at = 300 * EPOCH_MS + 400
    const storeDir = await mkdtemp(join(tmpdir(), 'alara-alone-'))
    dirs.push(storeDir)
    const { l, epochs } = await restarted(storeDir, at, [])
    const { state, params } = l.components
    // epoch 299 was closed, not final, at the start: its final comes before finalMs
    // after the start, when the node has not been alone long enough to know it is
    l.clock.ms = finalMsOf(l, 299) + 1
    await epochs.finalizeEpoch(299)
    expect(state.replica.isFinal(299)).toBe(false)
    l.clock.ms = at + params.finalMs
    await epochs.freezeBackfill()
    expect(state.replica.isFinal(299)).toBe(true)
    l.clock.ms = finalMsOf(l, 300) + 1
    await epochs.finalizeEpoch(300)
    expect(state.replica.isFinal(300)).toBe(true)
    expect(state.backfill.size).toBe(0)
  })

  it('a partition: an epoch final while no member is connected waits for them', async () => {
    const { l, epochs, repair, r, peers } = await scenario(300, { localHolds: 8 })
    for (const p of peers) await repair.catchUp(p.f.components.peerId)
    l.clock.ms = finalMsOf(l, r) + 1
    await epochs.finalizeEpoch(r)
    await vi.waitFor(() => expect(l.components.state.replica.isFinal(r)).toBe(true))
    // every member drops; epoch r + 1 reaches final meanwhile
    l.connected.splice(0)
    await epochs.closeEpoch(r + 1)
    l.clock.ms = finalMsOf(l, r + 1) + 1
    await epochs.finalizeEpoch(r + 1)
    expect(l.components.state.replica.isFinal(r + 1)).toBe(false)
    expect(l.components.state.backfill.has(r + 1)).toBe(true)
  })
})
