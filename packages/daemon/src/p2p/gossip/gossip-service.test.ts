import { TopicValidatorResult } from '@libp2p/gossipsub'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BeaconIngest } from '../../beacon/beacon-ingest.js'
import { Ingest } from '../../node/ingest.js'
import {
  type FakeComponents,
  fakeComponents,
  fakePeer,
} from '../../test-helpers/fake-components.js'
import { GOSSIP_PEER_RATES, GossipService } from './gossip-service.js'
import { topicsOf } from './topics.js'

let f: FakeComponents
let gossip: GossipService
beforeEach(async () => {
  f = await fakeComponents()
  gossip = new GossipService(f.components, {
    topics: topicsOf(f.components.params.network),
    ingest: new Ingest(f.components),
    beacon: new BeaconIngest(f.components),
  })
  gossip.start()
})
afterEach(async () => {
  gossip.stop()
  await f.close()
})

type Validator = (from: unknown, msg: { data: Uint8Array }) => TopicValidatorResult

describe('gossip: per-peer rate', () => {
  it('a peer over its burst is ignored before any decode, counted and reported; others are not', async () => {
    const pubsub = f.components.libp2p.services.pubsub
    const validate = pubsub.topicValidators.get(
      topicsOf(f.components.params.network).votes,
    ) as unknown as Validator
    const flooder = (await fakePeer()).peerId
    const honest = (await fakePeer()).peerId
    const garbage = { data: new Uint8Array([0xff, 0xff]) }
    const burst = GOSSIP_PEER_RATES.votes.burst
    const verdicts = Array.from({ length: burst + 50 }, () => validate(flooder, garbage))
    // within the burst: judged (garbage is a reject); beyond it: ignored unread
    expect(verdicts.slice(0, burst).every((v) => v === TopicValidatorResult.Reject)).toBe(true)
    const ignored = verdicts.filter((v) => v === TopicValidatorResult.Ignore).length
    expect(ignored).toBe(50) // the clock stood still: no token came back
    expect(gossip.overRate.votes).toBe(ignored)
    expect(f.eventsOf('limit:hit')[0]).toEqual({
      what: 'gossip-peer-rate-votes',
      peer: flooder.toString(),
      action: 'ignored',
    })
    // another peer has its own bucket; time refills the flooder's
    expect(validate(honest, garbage)).toBe(TopicValidatorResult.Reject)
    f.clock.ms += 1000
    expect(validate(flooder, garbage)).toBe(TopicValidatorResult.Reject)
  })

  it('a direct peer (configured by the operator) is not rated', async () => {
    const pubsub = f.components.libp2p.services.pubsub
    const validate = pubsub.topicValidators.get(
      topicsOf(f.components.params.network).votes,
    ) as unknown as Validator
    const directPeers = (pubsub as unknown as { direct: Set<string> }).direct
    const direct = (await fakePeer()).peerId
    directPeers.add(direct.toString())
    const garbage = { data: new Uint8Array([0xff, 0xff]) }
    const verdicts = Array.from({ length: GOSSIP_PEER_RATES.votes.burst + 50 }, () =>
      validate(direct, garbage),
    )
    expect(verdicts.every((v) => v === TopicValidatorResult.Reject)).toBe(true)
    expect(gossip.overRate.votes).toBe(0)
  })
})
