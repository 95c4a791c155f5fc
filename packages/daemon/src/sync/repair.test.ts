import { decodeSyncResponse, type SyncRequest, type SyncResponse, toHex } from '@alara/protocol'
import type { PeerId } from '@libp2p/interface'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Ingest } from '../ingest.js'
import {
  type FakeComponents,
  fakeComponents,
  fakePeer,
  signedContribution,
} from '../test-helpers/fake-components.js'
import type { SyncRequester } from './client.js'
import { catchUpWindow, epochsToRepair } from './plan.js'
import { RepairService } from './repair.js'
import { SyncServer } from './server.js'

/**
 * Two nodes' states with no network between them: the "remote" answers through its real
 * SyncServer.answer, decoded as the client would.
 */

let local: FakeComponents
let remote: FakeComponents
let repair: RepairService
const asked: SyncRequest['kind'][] = []
const epochsCalls = { commit: 0, backfill: 0 }

beforeEach(async () => {
  local = await fakeComponents()
  remote = await fakeComponents({ startMs: local.clock.ms })
  asked.length = 0
  epochsCalls.commit = 0
  epochsCalls.backfill = 0
  const server = new SyncServer(remote.components)
  const request: SyncRequester = async (_peer: PeerId, req: SyncRequest) => {
    asked.push(req.kind)
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
  it('catch-up fetches what the peer has and this node lacks, then back-fills once', async () => {
    const ids = await remoteHas(3)
    const peer = (await fakePeer()).peerId
    await repair.catchUp(peer)
    expect(local.components.state.replica.missingFrom(ids)).toEqual([])
    expect(asked).toEqual(['summaries', 'ids', 'contributions', 'votes'])
    expect(epochsCalls).toEqual({ commit: 1, backfill: 1 })
    // a second catch-up finds nothing to repair and does not back-fill again
    asked.length = 0
    await repair.catchUp(peer)
    expect(asked).toEqual(['summaries', 'votes'])
    expect(epochsCalls.backfill).toBe(1)
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
    local.components.events.emit('repair:needed', { epoch: 7, peerId })
    await vi.waitFor(() => expect(local.eventsOf('repair:done')).toHaveLength(1))
    expect(local.eventsOf('repair:done')[0]).toMatchObject({ outcome: 'failed', fetched: 0 })
    failing.stop()
  })
})

describe('catch-up decisions', () => {
  it('the window is the retained epochs, within one request span', () => {
    expect(catchUpWindow(100, { retainEpochs: 10 }, 0)).toEqual({ fromEpoch: 91, toEpoch: 100 })
    expect(catchUpWindow(100, { retainEpochs: 10 }, 95)).toEqual({ fromEpoch: 95, toEpoch: 100 })
    expect(catchUpWindow(3, { retainEpochs: 10 }, 0)).toEqual({ fromEpoch: 0, toEpoch: 3 })
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
