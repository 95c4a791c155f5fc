import { toHex } from '@alara/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BeaconIngest } from '../beacon/beacon-ingest.js'
import { GossipService } from '../p2p/gossip/gossip-service.js'
import { topicsOf } from '../p2p/gossip/topics.js'
import {
  contributionIdHex,
  type FakeComponents,
  fakeComponents,
  fakePeer,
  signedContribution,
} from '../test-helpers/fake-components.js'
import { EpochService } from './epochs.js'
import { Ingest } from './ingest.js'

/** A frozen epoch's contributions are rewritten as its record (store/frozen-records.ts). */

let f: FakeComponents
let ingest: Ingest
let epochs: EpochService

beforeEach(async () => {
  f = await fakeComponents()
  ingest = new Ingest(f.components)
  const gossip = new GossipService(f.components, {
    topics: topicsOf(f.components.params.network),
    ingest,
    beacon: new BeaconIngest(f.components),
  })
  epochs = new EpochService(f.components, { gossip })
})
afterEach(async () => {
  await epochs.stop()
  await f.close()
})

const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('freezing an epoch', () => {
  it('stores its record in place of its single values; an empty epoch gets none', async () => {
    const { state, store, params } = f.components
    const r = state.currentEpoch(f.clock.ms)
    const peer = await fakePeer()
    const bytes = await signedContribution(peer.key, f.components)
    expect((await ingest.contribution(bytes, { via: 'gossip' })).verdict).toBe('accept')
    await store.flush()
    const single = () => store.db.keys({ gte: '/alara/c/', lt: '/alara/c/~' }).all()
    expect(await single()).toHaveLength(1)
    await epochs.closeEpoch(r)
    f.clock.ms = (r + 1) * params.epochMs + params.finalMs + 1
    await epochs.finalizeEpoch(r)
    await epochs.finalizeEpoch(r + 1)
    await store.frozen.idle()
    const records = await collect(store.frozen.from(0))
    expect(records.map((x) => [x.epoch, x.sealed])).toEqual([[r, true]])
    expect(toHex(records[0]?.record ?? new Uint8Array(0))).toBe(
      toHex(state.replica.frozenRecord(r) ?? new Uint8Array(1)),
    )
    expect(await single()).toHaveLength(0)
    // the contribution is still served from the store, by its record
    const served = await store.getContribution(r, contributionIdHex(bytes))
    expect(toHex(served ?? new Uint8Array(0))).toBe(toHex(bytes))
  })
})
