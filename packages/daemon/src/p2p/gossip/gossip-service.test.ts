import { type ContributionCheck, checkContributionHere } from '@alara/protocol'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BeaconIngest } from '../../beacon/beacon-ingest.js'
import { Ingest } from '../../node/ingest.js'
import {
  type FakeComponents,
  fakeComponents,
  fakePeer,
} from '../../test-helpers/fake-components.js'
import type { ContributionChecker } from '../../verify/checker.js'
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

describe('gossip: per-peer back-pressure', () => {
  it("pauses reading a peer whose contributions pile up, resumes it once they drain, and never pauses another's", async () => {
    const { params, libp2p } = f.components
    // a checker that holds every job until released: the messages stay "being judged"
    const held: (() => void)[] = []
    const checker: ContributionChecker = {
      verify: async () => true,
      checkContribution: (bytes, verify) =>
        new Promise<ContributionCheck>((resolve) => {
          held.push(() => resolve(checkContributionHere(bytes, params, verify)))
        }),
    }
    const paused = new GossipService(f.components, {
      topics: topicsOf(params.network),
      ingest: new Ingest(f.components, checker),
      beacon: new BeaconIngest(f.components),
      pauseAt: 4,
    })
    gossip.stop()
    paused.start()
    const flooder = (await fakePeer()).peerId
    const honest = (await fakePeer()).peerId
    const log: string[] = []
    const rawStream = (peer: string) => ({
      pause: () => log.push(`pause ${peer}`),
      resume: () => log.push(`resume ${peer}`),
    })
    Object.assign(libp2p.services.pubsub, {
      streamsInbound: new Map([
        [flooder.toString(), { rawStream: rawStream('flooder') }],
        [honest.toString(), { rawStream: rawStream('honest') }],
      ]),
    })
    const validate = libp2p.services.pubsub.topicValidators.get(
      topicsOf(params.network).contributions,
    ) as unknown as (from: unknown, msg: { data: Uint8Array }) => Promise<TopicValidatorResult>
    const garbage = { data: new Uint8Array([0xff, 0xff]) }
    const verdicts = [
      ...Array.from({ length: 6 }, () => validate(flooder, garbage)),
      ...Array.from({ length: 3 }, () => validate(honest, garbage)),
    ]
    await Promise.resolve()
    expect(log).toEqual(['pause flooder'])
    expect(paused.backPressure.isPaused(flooder.toString())).toBe(true)
    expect(paused.backPressure.isPaused(honest.toString())).toBe(false)
    for (const release of held.splice(0)) release()
    expect(new Set(await Promise.all(verdicts))).toEqual(new Set([TopicValidatorResult.Reject]))
    expect(log).toEqual(['pause flooder', 'resume flooder'])
    paused.stop()
  })
})
