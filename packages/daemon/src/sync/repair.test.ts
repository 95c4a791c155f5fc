import { decodeSyncResponse, type SyncRequest, type SyncResponse, toHex } from '@alara/protocol'
import type { PeerId } from '@libp2p/interface'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Ingest } from '../node/ingest.js'
import {
  type FakeComponents,
  fakeComponents,
  fakePeer,
  signedContribution,
} from '../test-helpers/fake-components.js'
import { antiEntropyWindow, catchUpWindow, epochsToRepair, reconnectScope } from './plan.js'
import { RepairService } from './repair.js'
import type { SyncRequester } from './sync-client.js'
import { SyncServer } from './sync-server.js'

/**
 * Two nodes' states with no network between them: the "remote" answers through its real
 * SyncServer.answer, decoded as the client would.
 */

let local: FakeComponents
let remote: FakeComponents
let repair: RepairService
const asked: SyncRequest['kind'][] = []
/** summaries and votes requests, with the first epoch each asked for */
const requests: Array<{ kind: SyncRequest['kind']; fromEpoch: number; peer: string }> = []
const epochsCalls = { commit: 0, backfill: 0 }
let heardAtBackfill: string[] = []

beforeEach(async () => {
  local = await fakeComponents()
  remote = await fakeComponents({ startMs: local.clock.ms })
  asked.length = 0
  requests.length = 0
  epochsCalls.commit = 0
  epochsCalls.backfill = 0
  const server = new SyncServer(remote.components)
  const request: SyncRequester = async (peer: PeerId, req: SyncRequest) => {
    asked.push(req.kind)
    if (req.kind === 'summaries' || req.kind === 'votes')
      requests.push({ kind: req.kind, fromEpoch: req.fromEpoch, peer: peer.toString() })
    const res: SyncResponse = decodeSyncResponse(server.answer(req))
    if (res.status !== 'ok') throw new Error(`answered ${res.status}`)
    return res
  }
  repair = new RepairService(local.components, {
    ingest: new Ingest(local.components),
    epochs: {
      commitRepairs: async () => {
        epochsCalls.commit++
      },
      freezeBackfill: async () => {
        epochsCalls.backfill++
        heardAtBackfill = [...local.components.state.caughtUp.keys()]
      },
    },
    request,
    peers: () => [],
  })
})
afterEach(async () => {
  repair.stop()
  await local.close()
  await remote.close()
})

async function remoteHas(n: number): Promise<string[]> {
  const ingest = new Ingest(remote.components)
  const peer = await fakePeer()
  const ids: string[] = []
  for (let i = 1; i <= n; i++) {
    const res = await ingest.contribution(
      await signedContribution(peer.key, remote.components, { seq: i }),
      {
        via: 'gossip',
      },
    )
    if (res.verdict === 'accept') ids.push(res.v.idHex)
  }
  return ids
}

describe('repair and catch-up', () => {
  it('catch-up fetches what the peer has and this node lacks; back-fill hears each peer', async () => {
    const ids = await remoteHas(3)
    const peer = (await fakePeer()).peerId
    const other = (await fakePeer()).peerId
    const originOfPeer = (p: PeerId) => toHex(p.toMultihash().bytes)
    local.components.state.backfill.add(local.components.state.currentEpoch(local.clock.ms) - 10)
    await repair.catchUp(peer)
    expect(local.components.state.replica.missingFrom(ids)).toEqual([])
    expect(asked).toEqual(['summaries', 'votes', 'ids', 'contributions'])
    expect(epochsCalls).toEqual({ commit: 1, backfill: 1 })
    expect(heardAtBackfill).toEqual([originOfPeer(peer)])
    // every later catch-up adds its peer to those heard, while back-fill is pending
    asked.length = 0
    await repair.catchUp(other)
    expect(asked).toEqual(['summaries', 'votes'])
    expect(epochsCalls.backfill).toBe(2)
    expect(heardAtBackfill.sort()).toEqual([originOfPeer(peer), originOfPeer(other)].sort())
    // nothing left to back-fill: not asked again
    local.components.state.backfill.clear()
    await repair.catchUp(peer)
    expect(epochsCalls.backfill).toBe(2)
  })

  it('repair:needed schedules a repair, merges repeats, and reports it done', async () => {
    await remoteHas(2)
    repair.start()
    const peerId = (await fakePeer()).peerId.toString()
    const epoch = local.components.state.currentEpoch(local.clock.ms)
    local.components.events.emit('repair:needed', { epoch, peerId })
    local.components.events.emit('repair:needed', { epoch, peerId })
    await vi.waitFor(() => expect(local.eventsOf('repair:done')).toHaveLength(1))
    expect(local.eventsOf('repair:done')[0]).toEqual({ epoch, peerId, fetched: 2, outcome: 'ok' })
    expect(asked.filter((k) => k === 'ids')).toHaveLength(1)
  })

  it('towards a digest: the ids behind it (BEHIND), kept only when they hash to it', async () => {
    const ids = await remoteHas(3)
    const { state } = local.components
    const epoch = remote.components.state.currentEpoch(remote.clock.ms)
    const digestHex = toHex(remote.components.state.replica.digest(epoch))
    const peer = (await fakePeer()).peerId
    expect(await repair.repairEpoch(peer, epoch, undefined, digestHex)).toBe(3)
    expect(asked).toEqual(['behind', 'contributions'])
    expect(state.idsBehind(epoch, digestHex)).toEqual([...ids].sort())
    // a digest nobody serves the ids of: nothing kept, every stored id asked instead
    asked.length = 0
    const unknown = 'ab'.repeat(32)
    expect(await repair.repairEpoch(peer, epoch, undefined, unknown)).toBe(0)
    expect(asked).toEqual(['behind', 'ids'])
    expect(state.idsBehind(epoch, unknown)).toBeUndefined()
  })

  it('a failing peer: repair:done says failed', async () => {
    const failing = new RepairService(local.components, {
      ingest: new Ingest(local.components),
      epochs: { commitRepairs: async () => {}, freezeBackfill: async () => {} },
      request: async () => {
        throw new Error('stream reset')
      },
      peers: () => [],
    })
    failing.start()
    const peerId = (await fakePeer()).peerId.toString()
    const epoch = local.components.state.currentEpoch(local.clock.ms)
    local.components.events.emit('repair:needed', { epoch, peerId })
    await vi.waitFor(() => expect(local.eventsOf('repair:done')).toHaveLength(1))
    expect(local.eventsOf('repair:done')[0]).toMatchObject({ outcome: 'failed', fetched: 0 })
    failing.stop()
  })
})

describe('repair and catch-up on an open network: members only', () => {
  it('never asks a stranger; a member’s answer carrying a stranger’s contributions stores none', async () => {
    const open = await fakeComponents({ closed: false, startMs: local.clock.ms })
    const openRepair = new RepairService(open.components, {
      ingest: new Ingest(open.components),
      epochs: { commitRepairs: async () => {}, freezeBackfill: async () => {} },
      request: async (peer, req) => {
        asked.push(req.kind)
        if (req.kind === 'summaries' || req.kind === 'votes')
          requests.push({ kind: req.kind, fromEpoch: req.fromEpoch, peer: peer.toString() })
        const res: SyncResponse = decodeSyncResponse(new SyncServer(remote.components).answer(req))
        if (res.status !== 'ok') throw new Error(`answered ${res.status}`)
        return res
      },
      peers: () => [],
    })
    try {
      await remoteHas(2) // from an origin `open` does not know: a stranger there
      const stranger = (await fakePeer()).peerId
      openRepair.scheduleCatchUp(stranger)
      openRepair.scheduleRepair(stranger, open.components.state.currentEpoch(open.clock.ms))
      await new Promise((resolve) => setImmediate(resolve))
      expect(asked).toEqual([])
      const member = await fakePeer()
      await open.components.trust.set(member.peerId.toString(), 1, true)
      await openRepair.catchUp(member.peerId)
      expect(asked).toContain('contributions')
      expect(open.components.state.replica.storedTotal).toBe(0)
      expect(open.eventsOf('contribution:refused').map((e) => e.reason)).toEqual([
        'STRANGER',
        'STRANGER',
      ])
    } finally {
      openRepair.stop()
      await open.close()
    }
  })
})

describe('catch-up decisions', () => {
  it('the window is the retained epochs, within one request span', () => {
    expect(catchUpWindow(100, { retainEpochs: 10 }, 0)).toEqual({ fromEpoch: 91, toEpoch: 100 })
    expect(catchUpWindow(100, { retainEpochs: 10 }, 95)).toEqual({ fromEpoch: 95, toEpoch: 100 })
    expect(catchUpWindow(3, { retainEpochs: 10 }, 0)).toEqual({ fromEpoch: 0, toEpoch: 3 })
  })

  it('anti-entropy covers 2 rounds plus the epochs until final, within the window', () => {
    const params = { retainEpochs: 720, epochMs: 5000, finalMs: 15_000 }
    // 2 × 12 + 3 + 1 epochs back
    expect(antiEntropyWindow(1000, params, 0, 12)).toEqual({ fromEpoch: 972, toEpoch: 1000 })
    expect(antiEntropyWindow(1000, params, 990, 12)).toEqual({ fromEpoch: 990, toEpoch: 1000 })
    expect(antiEntropyWindow(10, params, 0, 12)).toEqual({ fromEpoch: 0, toEpoch: 10 })
    // a finalMs that is not a whole number of epochs rounds up
    expect(antiEntropyWindow(1000, { ...params, finalMs: 12_500 }, 0, 12).fromEpoch).toBe(972)
  })

  it('a reconnect within a round of the last catch-up asks for the recent epochs', () => {
    expect(reconnectScope(undefined, 100, 12)).toBe('window')
    expect(reconnectScope(95, 100, 12)).toBe('recent')
    expect(reconnectScope(88, 100, 12)).toBe('recent')
    expect(reconnectScope(87, 100, 12)).toBe('window')
  })

  it('a peer that connects again soon after its catch-up is asked for the recent epochs only', async () => {
    const { state, params } = local.components
    const current = state.currentEpoch(local.clock.ms)
    const oldest = state.replica.oldestRetainedEpoch
    const peerId = (await fakePeer()).peerId.toString()
    const other = (await fakePeer()).peerId.toString()
    repair.start()
    const votesAsked = (peer: string) =>
      requests.filter((r) => r.kind === 'votes' && r.peer === peer).map((r) => r.fromEpoch)
    const whole = catchUpWindow(current, params, oldest).fromEpoch
    const recent = antiEntropyWindow(current, params, oldest, 12).fromEpoch
    local.components.events.emit('peer:connected', { peerId })
    await vi.waitFor(() => expect(votesAsked(peerId)).toEqual([whole]))
    // the link drops and comes back: only the recent epochs (announced until the first
    // catch-up has finished: while it runs, a second one for the same peer is merged)
    await vi.waitFor(() => {
      if (votesAsked(peerId).length < 2) local.components.events.emit('peer:connected', { peerId })
      expect(votesAsked(peerId).slice(0, 2)).toEqual([whole, recent])
    })
    // another peer, never caught up with: the whole window
    local.components.events.emit('peer:connected', { peerId: other })
    await vi.waitFor(() => expect(votesAsked(other)).toEqual([whole]))
  })

  it('catch-up:wanted asks each member named for its votes again', async () => {
    const [p, q] = [(await fakePeer()).peerId.toString(), (await fakePeer()).peerId.toString()]
    repair.start()
    local.components.events.emit('catch-up:wanted', { epoch: 1, peerIds: [p, q] })
    await vi.waitFor(() =>
      expect(
        requests
          .filter((r) => r.kind === 'votes')
          .map((r) => r.peer)
          .sort(),
      ).toEqual([p, q].sort()),
    )
  })

  it('an anti-entropy round asks for the recent epochs; with back-fill waiting, the window', async () => {
    const { state, params } = local.components
    const current = state.currentEpoch(local.clock.ms)
    const peer = (await fakePeer()).peerId
    await repair.catchUp(peer, undefined, 'recent')
    const recent = antiEntropyWindow(current, params, state.replica.oldestRetainedEpoch, 12)
    expect(recent.fromEpoch).toBeGreaterThan(
      catchUpWindow(current, params, state.replica.oldestRetainedEpoch).fromEpoch,
    )
    expect(requests.map((r) => [r.kind, r.fromEpoch])).toEqual([
      ['summaries', recent.fromEpoch],
      ['votes', recent.fromEpoch],
    ])
    requests.length = 0
    state.backfill.add(current - 100)
    await repair.catchUp(peer, undefined, 'recent')
    const whole = catchUpWindow(current, params, state.replica.oldestRetainedEpoch).fromEpoch
    expect(requests.map((r) => [r.kind, r.fromEpoch])).toEqual([
      ['summaries', whole],
      ['votes', whole],
    ])
  })

  it('repairs epochs whose stored set differs, never final ones', async () => {
    await remoteHas(1)
    const theirs = remote.components.state.replica.summaries()
    const r = theirs[0]?.epoch as number
    const replica = local.components.state.replica
    expect(epochsToRepair(replica, theirs)).toEqual([r])
    replica.finalize(r)
    expect(epochsToRepair(replica, theirs)).toEqual([])
    expect(toHex(replica.summary(r).storedDigest)).not.toBe(
      toHex(theirs[0]?.storedDigest ?? new Uint8Array()),
    )
  })
})
