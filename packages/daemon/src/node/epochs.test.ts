import { decodeVote, epochFinalMs, toHex } from '@alara/protocol'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BeaconIngest } from '../beacon/beacon-ingest.js'
import { TrustService } from '../membership/trust-service.js'
import { GossipService } from '../p2p/gossip/gossip-service.js'
import { topicsOf } from '../p2p/gossip/topics.js'
import {
  contributionIdHex,
  type FakeComponents,
  fakeComponents,
  fakePeer,
  signedContribution,
  signedVote,
  voteCovering,
} from '../test-helpers/fake-components.js'
import { useRestartableNodes } from '../test-helpers/restartable.js'
import { EpochService } from './epochs.js'
import { Ingest } from './ingest.js'
import { restoreState } from './restore.js'

let f: FakeComponents
const restartable = useRestartableNodes('epochs')
let ingest: Ingest
let epochs: EpochService

beforeEach(async () => {
  f = await fakeComponents()
  ingest = new Ingest(f.components)
  const topics = topicsOf(f.components.params.network)
  const gossip = new GossipService(f.components, {
    topics,
    ingest,
    beacon: new BeaconIngest(f.components),
  })
  epochs = new EpochService(f.components, { gossip })
})
afterEach(async () => {
  await epochs.stop()
  await f.close()
})

const votesPublished = () => f.published.map((p) => decodeVote(p.data))

describe('epochs', () => {
  it('closing votes the digest, announces it, and asks repair from votes already here', async () => {
    const { state } = f.components
    const r = state.currentEpoch(f.clock.ms)
    const peer = await fakePeer()
    await ingest.contribution(await signedContribution(peer.key, f.components), { via: 'gossip' })
    f.clock.ms += f.components.params.epochMs
    const other = await fakePeer()
    ingest.vote(await signedVote(other.key, f.components, r, new Uint8Array(32).fill(1)), {
      via: 'gossip',
    })
    expect(f.eventsOf('repair:needed')).toEqual([]) // not closed yet: nothing to compare
    await epochs.closeEpoch(r)
    expect(state.closed.has(r)).toBe(true)
    const [vote] = votesPublished()
    expect(vote?.epoch).toBe(r)
    expect(toHex(vote?.digest ?? new Uint8Array())).toBe(toHex(state.replica.digest(r)))
    expect(f.eventsOf('epoch:closed')).toEqual([
      { epoch: r, digestHex: toHex(state.replica.digest(r)), count: 1 },
    ])
    expect(f.eventsOf('repair:needed')).toEqual([
      { epoch: r, peerId: other.peerId.toString(), digestHex: expect.any(String) },
    ])
    // the consensus at close: the other vote dissents, so not agreed
    const [atClose] = f.eventsOf('consensus:changed')
    expect(atClose?.epoch).toBe(r)
    expect(atClose?.status).not.toBe('agreed')
    expect(atClose?.agreement).toBeLessThan(1)
  })

  it('finalizing commits repairs, freezes and writes the folded set', async () => {
    const { state, store } = f.components
    const r = state.currentEpoch(f.clock.ms)
    const peer = await fakePeer()
    const bytes = await signedContribution(peer.key, f.components)
    await epochs.closeEpoch(r)
    f.clock.ms = (r + 1) * f.components.params.epochMs + f.components.params.graceMs + 1
    // after close it enters by repair with a member's voucher (round 1: one)
    const voucher = await fakePeer()
    const covering = await voteCovering(voucher.key, f.components, r, [contributionIdHex(bytes)])
    ingest.vote(covering.encoded, { via: 'gossip' })
    state.recordIdsBehind(r, covering.digestHex, [contributionIdHex(bytes)])
    expect((await ingest.contribution(bytes, { via: 'sync' })).verdict).toBe('accept')
    await epochs.finalizeEpoch(r)
    expect(state.replica.isFinal(r)).toBe(true)
    expect((await store.getFinal(r))?.map(toHex)).toEqual(state.replica.foldedIdsOf(r))
    // the repaired contribution was committed and the changed digest voted again
    expect(votesPublished().map((v) => v.epoch)).toEqual([r, r])
    expect(f.eventsOf('epoch:final')).toMatchObject([{ epoch: r, count: 1 }])
    // a final epoch takes nothing more, not even by sync
    const late = await signedContribution(peer.key, f.components, { epoch: r, seq: 2 })
    expect((await ingest.contribution(late, { via: 'sync' })).verdict).not.toBe('accept')
  })

  it('epochs opened between a restart’s restore and its start are caught up; not on a first start', async () => {
    const { params } = f.components
    const epochsOn = (c: FakeComponents) =>
      new EpochService(c.components, {
        gossip: new GossipService(c.components, {
          topics: topicsOf(c.components.params.network),
          ingest: new Ingest(c.components),
          beacon: new BeaconIngest(c.components),
        }),
      })
    // a first start: the window before it is caught up, its own first epochs are not
    const dir = await restartable.storeDir()
    const first = await restartable.node(dir)
    const r = first.components.state.currentEpoch(first.clock.ms)
    await restoreState(first.components)
    first.clock.ms += 2 * params.epochMs
    const firstEpochs = epochsOn(first)
    await firstEpochs.start()
    expect(Math.max(...first.components.state.backfill)).toBe(r - 1)
    await new Ingest(first.components).contribution(
      await signedContribution((await fakePeer()).key, first.components),
      { via: 'gossip' },
    )
    await firstEpochs.stop()
    await restartable.stop(first)
    // a restart on that store, restored in epoch r + 2, its services started two epochs later
    const again = await restartable.node(dir, { startMs: first.clock.ms })
    await restoreState(again.components)
    again.clock.ms += 2 * params.epochMs
    const againEpochs = epochsOn(again)
    await againEpochs.start()
    const { backfill } = again.components.state
    for (const e of [r + 2, r + 3, r + 4]) expect(backfill.has(e), `epoch ${e}`).toBe(true)
    expect(backfill.has(r + 5)).toBe(false)
    await againEpochs.stop()
  })

  it('a back-filled epoch freezes once members with the quorum of its votes are heard', async () => {
    const { state } = f.components
    const r = state.currentEpoch(f.clock.ms) - 5
    state.backfill.add(r)
    // no vote known for r: hearing a peer freezes nothing (not on nobody's word)
    const [a, b, c] = [await fakePeer(), await fakePeer(), await fakePeer()]
    state.caughtUp.set(a.originHex, f.clock.ms)
    await epochs.freezeBackfill()
    expect(state.replica.isFinal(r)).toBe(false)
    const mine = state.replica.digest(r)
    for (const p of [a, b, c])
      ingest.vote(await signedVote(p.key, f.components, r, mine, 0), { via: 'sync' })
    // one of three voters heard: not yet
    await epochs.freezeBackfill()
    expect(state.replica.isFinal(r)).toBe(false)
    state.caughtUp.set(b.originHex, f.clock.ms)
    await epochs.freezeBackfill()
    expect(state.replica.isFinal(r)).toBe(true)
    expect(state.backfill.size).toBe(0)
    expect(f.eventsOf('epoch:final').map((e) => e.epoch)).toEqual([r])
  })

  it('a back-filled epoch with no digest at the quorum waits finalMs more for re-votes', async () => {
    const { state, params } = f.components
    const r = state.currentEpoch(f.clock.ms) - 5
    state.backfill.add(r)
    const mine = state.replica.digest(r)
    const [a, b, c, d, e] = [
      await fakePeer(),
      await fakePeer(),
      await fakePeer(),
      await fakePeer(),
      await fakePeer(),
    ]
    const peers = [a, b, c, d, e]
    const other = (n: number) => new Uint8Array(32).fill(n)
    for (const [p, digest] of [
      [a, mine],
      [b, mine],
      [c, other(1)],
      [d, other(2)],
      [e, other(3)],
    ] as const)
      ingest.vote(await signedVote(p.key, f.components, r, digest, 1), { via: 'sync' })
    for (const p of peers) state.caughtUp.set(p.originHex, f.clock.ms)
    // final by the clock, every voter heard, but its own digest has 2 of 5: not yet
    expect(epochFinalMs(r, params)).toBeLessThanOrEqual(f.clock.ms)
    await epochs.freezeBackfill()
    expect(state.replica.isFinal(r)).toBe(false)
    // their newest votes are asked again, by sync: at most once an epoch while it waits
    await epochs.freezeBackfill()
    expect(f.eventsOf('catch-up:wanted')).toEqual([
      { epoch: r, peerIds: expect.arrayContaining(peers.map((p) => p.peerId.toString())) },
    ])
    expect(f.eventsOf('catch-up:wanted')[0]?.peerIds).toHaveLength(5)
    f.clock.ms += params.epochMs
    await epochs.freezeBackfill()
    expect(f.eventsOf('catch-up:wanted')).toHaveLength(2)
    // a late re-vote that makes the quorum freezes it at once
    f.clock.ms += 1
    ingest.vote(await signedVote(c.key, f.components, r, mine, 1), { via: 'sync' })
    ingest.vote(await signedVote(d.key, f.components, r, mine, 1), { via: 'sync' })
    await epochs.freezeBackfill()
    expect(state.replica.isFinal(r)).toBe(true)
    expect(toHex(state.replica.digest(r))).toBe(toHex(mine))
  })

  it('without re-votes, finalMs after final it keeps the digest with the most trust', async () => {
    const { state, params } = f.components
    const r = state.currentEpoch(f.clock.ms) - 5
    state.backfill.add(r)
    const mine = state.replica.digest(r)
    const [a, b, c, d] = [await fakePeer(), await fakePeer(), await fakePeer(), await fakePeer()]
    for (const [p, digest] of [
      [a, mine],
      [b, mine],
      [c, new Uint8Array(32).fill(1)],
      [d, new Uint8Array(32).fill(2)],
    ] as const) {
      ingest.vote(await signedVote(p.key, f.components, r, digest, 1), { via: 'sync' })
      state.caughtUp.set(p.originHex, f.clock.ms)
    }
    // its own digest has the most trust (2 of 4), short of the quorum
    f.clock.ms = epochFinalMs(r, params) + params.finalMs - 1
    await epochs.freezeBackfill()
    expect(state.replica.isFinal(r)).toBe(false)
    f.clock.ms += 1
    await epochs.freezeBackfill()
    expect(state.replica.isFinal(r)).toBe(true)
    expect(toHex(state.replica.digest(r))).toBe(toHex(mine))
  })

  it('a back-filled epoch whose quorum voted another digest asks its voters for that set', async () => {
    const { state } = f.components
    const r = state.currentEpoch(f.clock.ms) - 5
    state.backfill.add(r)
    const [a, b] = [await fakePeer(), await fakePeer()]
    const theirs = new Uint8Array(32).fill(1)
    for (const p of [a, b]) {
      ingest.vote(await signedVote(p.key, f.components, r, theirs, 1), { via: 'sync' })
      state.caughtUp.set(p.originHex, f.clock.ms)
    }
    await epochs.freezeBackfill()
    expect(state.replica.isFinal(r)).toBe(false)
    expect(
      f
        .eventsOf('repair:needed')
        .map((e) => e.peerId)
        .sort(),
    ).toEqual([a.peerId.toString(), b.peerId.toString()].sort())
    expect(f.eventsOf('repair:needed').every((e) => e.digestHex === toHex(theirs))).toBe(true)
  })

  it('a trust change re-folds and votes again only the closed epochs whose digest moved', async () => {
    const { state } = f.components
    const trust = new TrustService(f.components, { epochs })
    const r = state.currentEpoch(f.clock.ms)
    const peer = await fakePeer()
    await ingest.contribution(await signedContribution(peer.key, f.components), { via: 'gossip' })
    await epochs.closeEpoch(r)
    const before = toHex(state.replica.digest(r))
    await trust.set(peer.peerId.toString(), 0, true)
    expect(toHex(state.replica.digest(r))).not.toBe(before)
    // the re-vote started by set() runs in the background
    await vi.waitFor(() => expect(votesPublished().map((v) => v.epoch)).toEqual([r, r]))
    // setting the same level again moves nothing: no third vote
    await trust.set(peer.peerId.toString(), 0, true)
    await epochs.commitRepairs()
    expect(votesPublished()).toHaveLength(2)
    expect(trust.list()).toEqual([
      { peerId: peer.peerId.toString(), trust: 0, active: true, source: 'manual' },
    ])
  })
})
