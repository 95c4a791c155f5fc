import type { Verdict } from '@alara/protocol'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { BeaconIngest } from '../../beacon/beacon-ingest.js'
import type { AlaraComponents, Startable } from '../../components.js'
import type { Ingest } from '../../node/ingest.js'
import { RateLimiter } from '../../util/bounded/rate-limiter.js'
import type { Logger } from '../../util/logger.js'
import { InboundBackPressure, type PausableStream } from './inbound-back-pressure.js'
import { allTopics, type Topics } from './topics.js'

/** The ingest verdict (protocol's `Verdict`) as gossipsub's: the one place the two vocabularies meet. */
export function topicValidatorResult(verdict: Verdict): TopicValidatorResult {
  return verdict === 'accept'
    ? TopicValidatorResult.Accept
    : verdict === 'reject'
      ? TopicValidatorResult.Reject
      : TopicValidatorResult.Ignore
}

/**
 * Messages a forwarding peer may hand this node per second on each topic (a token bucket
 * per peer and topic). Over the rate a message is ignored (no score penalty: an honest
 * peer may relay a burst) and counted. Generous for honest traffic: a network of 100
 * origins each sending its whole quota (64) in one 5 s epoch is 1,280 a second in total,
 * spread over the mesh.
 */
export const GOSSIP_PEER_RATES = Object.freeze({
  contributions: { ratePerSec: 500, burst: 2_000 },
  votes: { ratePerSec: 200, burst: 1_000 },
  /** version 2: one commit, one reveal per member and epoch; a recovery now and then */
  commits: { ratePerSec: 100, burst: 500 },
  reveals: { ratePerSec: 100, burst: 500 },
  recoveries: { ratePerSec: 5, burst: 20 },
  /** peers whose rate is remembered (least recently seen forgotten first) */
  trackedPeers: 1024,
})

/**
 * Contributions of one forwarding peer being judged at once above which its inbound stream
 * is paused (inbound-back-pressure.ts), until they drain below half: ~2 verify threads'
 * four batches each, so the threads stay busy with the peer's work while it waits.
 */
export const GOSSIP_PAUSE_AT = 512

/**
 * A peer's inbound gossipsub stream, the raw libp2p stream (gossipsub's `streamsInbound`:
 * public on the GossipSub class, not on the exported interface).
 */
function inboundStreamOf(pubsub: unknown, peer: string): PausableStream | undefined {
  const inbound = (pubsub as { streamsInbound?: Map<string, { rawStream?: PausableStream }> })
    .streamsInbound
  return inbound?.get(peer)?.rawStream
}

/**
 * gossipsub's direct peers (its `directPeers` option, and the `direct` set of the GossipSub
 * class: readonly and public there, but not on the exported interface).
 */
function isDirectPeer(pubsub: unknown, peer: string): boolean {
  return (pubsub as { direct?: ReadonlySet<string> }).direct?.has(peer) === true
}

export interface GossipInit {
  topics: Topics
  ingest: Ingest
  /** version 2's receive path (commits, reveals, recoveries) */
  beacon: Pick<BeaconIngest, 'commit' | 'reveal' | 'recovery'>
  /** default GOSSIP_PAUSE_AT */
  pauseAt?: number
}

type RatedTopic = keyof typeof GOSSIP_PEER_RATES & keyof Topics

/**
 * Gossip: every topic's validator feeds its receive path (a reject costs the forwarding
 * peer its score, an ignore does not), subscriptions, and publishing.
 */
export class GossipService implements Startable {
  private readonly log: Logger
  private readonly rates: Record<RatedTopic, RateLimiter>
  /** messages ignored for a peer's rate, per topic kind (status, tests) */
  readonly overRate: Record<RatedTopic, number> = {
    contributions: 0,
    votes: 0,
    commits: 0,
    reveals: 0,
    recoveries: 0,
  }

  /** pauses reading a peer whose contributions pile up here */
  readonly backPressure: InboundBackPressure

  constructor(
    private readonly components: AlaraComponents,
    private readonly init: GossipInit,
  ) {
    this.log = components.logger('alara:gossip')
    this.backPressure = new InboundBackPressure({
      pauseAt: init.pauseAt ?? GOSSIP_PAUSE_AT,
      streamOf: (peer) => inboundStreamOf(components.libp2p.services.pubsub, peer),
    })
    const limiter = (rate: { ratePerSec: number; burst: number }) =>
      new RateLimiter({ ...rate, maxKeys: GOSSIP_PEER_RATES.trackedPeers, now: components.now })
    this.rates = {
      contributions: limiter(GOSSIP_PEER_RATES.contributions),
      votes: limiter(GOSSIP_PEER_RATES.votes),
      commits: limiter(GOSSIP_PEER_RATES.commits),
      reveals: limiter(GOSSIP_PEER_RATES.reveals),
      recoveries: limiter(GOSSIP_PEER_RATES.recoveries),
    }
  }

  get topics(): Topics {
    return this.init.topics
  }

  start(): void {
    const pubsub = this.components.libp2p.services.pubsub
    const { topics, ingest } = this.init
    // Async: gossipsub awaits the verdict (the signature is verified on a pool thread)
    // before it forwards or penalizes; a peer over its rate costs nothing more.
    pubsub.topicValidators.set(topics.contributions, async (from: PeerId, msg) => {
      if (!this.withinRate('contributions', from)) return TopicValidatorResult.Ignore
      const peer = from.toString()
      this.backPressure.begin(peer)
      try {
        return topicValidatorResult(
          (await ingest.contribution(msg.data, { via: 'gossip', from })).verdict,
        )
      } finally {
        this.backPressure.end(peer)
      }
    })
    pubsub.topicValidators.set(topics.votes, (from: PeerId, msg) =>
      this.withinRate('votes', from)
        ? topicValidatorResult(ingest.vote(msg.data, { via: 'gossip', from }).verdict)
        : TopicValidatorResult.Ignore,
    )
    const { beacon } = this.init
    const validate = (kind: 'commits' | 'reveals' | 'recoveries', judge: typeof beacon.commit) =>
      pubsub.topicValidators.set(topics[kind], (from: PeerId, msg) =>
        this.withinRate(kind, from)
          ? topicValidatorResult(judge.call(beacon, msg.data, { via: 'gossip', from }).verdict)
          : TopicValidatorResult.Ignore,
      )
    validate('commits', beacon.commit)
    validate('reveals', beacon.reveal)
    validate('recoveries', beacon.recovery)
    for (const topic of allTopics(topics)) pubsub.subscribe(topic)
  }

  /**
   * Takes one of `from`'s tokens on that topic; counts and reports a message over it.
   * A direct peer (gossipsub's `direct`: a link the operator configured, which gossipsub
   * never prunes nor graylists) is not rated either.
   */
  withinRate(kind: RatedTopic, from: PeerId): boolean {
    const peer = from.toString()
    if (this.rates[kind].take(peer)) return true
    if (isDirectPeer(this.components.libp2p.services.pubsub, peer)) return true
    this.overRate[kind]++
    this.components.events.emitLazy('limit:hit', () => ({
      what: `gossip-peer-rate-${kind}`,
      peer,
      action: 'ignored' as const,
    }))
    return false
  }

  stop(): void {
    const pubsub = this.components.libp2p.services.pubsub
    for (const topic of allTopics(this.init.topics)) pubsub.topicValidators.delete(topic)
  }

  /** Publishes a signed vote; a failure is only logged (sync delivers it later). */
  publishVote(epoch: number, encoded: Uint8Array): Promise<void> {
    return this.publish('votes', epoch, encoded)
  }

  /** Version 2's messages: a failure is only logged (sync delivers them later). */
  publishCommit(epoch: number, encoded: Uint8Array): Promise<void> {
    return this.publish('commits', epoch, encoded)
  }

  publishReveal(epoch: number, encoded: Uint8Array): Promise<void> {
    return this.publish('reveals', epoch, encoded)
  }

  publishRecovery(epoch: number, encoded: Uint8Array): Promise<void> {
    return this.publish('recoveries', epoch, encoded)
  }

  private async publish(kind: keyof Topics, epoch: number, encoded: Uint8Array): Promise<void> {
    await this.components.libp2p.services.pubsub
      .publish(this.init.topics[kind], encoded)
      .catch((err: Error) => {
        this.log.debug(() => `${kind} ${epoch}: publish failed (${err.message})`)
      })
  }
}
