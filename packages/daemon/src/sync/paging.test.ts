import {
  decodeSyncResponse,
  SYNC_LIMITS,
  type SyncRequest,
  type SyncResponse,
  VoteBook,
} from '@alara/protocol'
import type { PeerId } from '@libp2p/interface'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Ingest } from '../node/ingest.js'
import type { HeldVote } from '../node/state.js'
import {
  type FakeComponents,
  fakeComponents,
  fakePeer,
  signedContribution,
} from '../test-helpers/fake-components.js'
import { answerOf } from './answers.js'
import { RepairService } from './repair.js'
import type { SyncRequester } from './sync-client.js'
import { SyncServer } from './sync-server.js'

/** An epoch larger than one IDS page repairs completely: the client follows the cursor. */

let local: FakeComponents
let remote: FakeComponents
const asked: SyncRequest[] = []

beforeEach(async () => {
  local = await fakeComponents({ config: { maxPerEpoch: 64 } })
  remote = await fakeComponents({ startMs: local.clock.ms, config: { maxPerEpoch: 64 } })
  asked.length = 0
})
afterEach(async () => {
  await local.close()
  await remote.close()
})

async function remoteStores(origins: number, each: number): Promise<number> {
  const ingest = new Ingest(remote.components)
  let n = 0
  for (let o = 0; o < origins; o++) {
    const peer = await fakePeer()
    for (let seq = 1; seq <= each; seq++) {
      const bytes = await signedContribution(peer.key, remote.components, { seq })
      if ((await ingest.contribution(bytes, { via: 'gossip' })).verdict === 'accept') n++
    }
  }
  return n
}

describe('paged sync', () => {
  it('an epoch of 5,000 stored contributions repairs completely through paged answers', async () => {
    const stored = await remoteStores(79, 64)
    expect(stored).toBe(79 * 64)
    expect(stored).toBeGreaterThan(SYNC_LIMITS.maxIds)
    const server = new SyncServer(remote.components)
    const request: SyncRequester = async (_peer: PeerId, req: SyncRequest) => {
      asked.push(req)
      const res: SyncResponse = decodeSyncResponse(server.answer(req))
      if (res.status !== 'ok') throw new Error(`answered ${res.status}: ${res.error}`)
      return res
    }
    const repair = new RepairService(local.components, {
      ingest: new Ingest(local.components),
      epochs: { commitRepairs: async () => {}, freezeBackfill: async () => {} },
      request,
      peers: () => [],
    })
    const epoch = remote.components.state.currentEpoch(remote.clock.ms)
    const added = await repair.repairEpoch((await fakePeer()).peerId, epoch)
    expect(added).toBe(stored)
    const mine = local.components.state.replica.storedIdsOf(epoch)
    expect(mine).toEqual(remote.components.state.replica.storedIdsOf(epoch))
    const idsPages = asked.filter((r) => r.kind === 'ids')
    expect(idsPages).toHaveLength(2)
    expect(idsPages[1]?.cursor?.length).toBe(32)
    // every CONTRIBUTIONS answer stayed within a page
    for (const r of asked.filter((q) => q.kind === 'contributions'))
      expect(server.answer(r).length).toBeLessThanOrEqual(SYNC_LIMITS.pageBytes + 1024)
    repair.stop()
  }, 120_000)

  it('votes: pages newest epoch first, the cursor resumes after the last vote sent', () => {
    const votes = new VoteBook<HeldVote>()
    const originHex = (i: number) => i.toString(16).padStart(76, '0')
    const perEpoch = 600
    for (let epoch = 1; epoch <= 4; epoch++)
      for (let i = 0; i < perEpoch; i++)
        votes.record({
          idHex: `${epoch}-${i}`,
          originHex: originHex(i),
          epoch,
          digest: new Uint8Array(32).fill(epoch),
          timestampMs: 1,
          count: 1,
          encoded: new Uint8Array(200).fill(epoch),
        })
    const state = { replica: local.components.state.replica, votes, idsBehind: () => undefined }
    const network = local.components.params.network
    const req = { kind: 'votes', network, fromEpoch: 0, toEpoch: 10 } as const
    const seen: number[] = []
    let cursor: Uint8Array | undefined
    let pages = 0
    do {
      const res = decodeSyncResponse(
        answerOf(state, network, { ...req, ...(cursor ? { cursor } : {}) }),
      )
      expect(res.status).toBe('ok')
      const bytes = res.votes.reduce((n, v) => n + v.length, 0)
      expect(bytes).toBeLessThanOrEqual(SYNC_LIMITS.pageBytes)
      for (const v of res.votes) seen.push(v[0] as number)
      cursor = res.nextCursor.length > 0 ? res.nextCursor : undefined
      pages++
    } while (cursor !== undefined)
    expect(pages).toBeGreaterThan(1)
    expect(seen).toHaveLength(4 * perEpoch)
    // newest epoch first, every vote once
    expect(seen).toEqual([...seen].sort((a, b) => b - a))
  })

  it("a cursor that is not this responder's is a bad request, not a crash", () => {
    const network = local.components.params.network
    const state = local.components.state
    for (const req of [
      { kind: 'ids', network, epoch: 1, cursor: new Uint8Array(5) },
      { kind: 'votes', network, fromEpoch: 0, toEpoch: 1, cursor: new Uint8Array(3) },
      {
        kind: 'contributions',
        network,
        ids: [new Uint8Array(32)],
        cursor: new Uint8Array(32).fill(1),
      },
    ] as SyncRequest[])
      expect(decodeSyncResponse(answerOf(state, network, req)).status).toBe('bad-request')
  })
})
