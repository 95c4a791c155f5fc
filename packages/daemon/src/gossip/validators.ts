import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'
import type { AlaraComponents, Startable } from '../components.js'
import type { Ingest, IngestVerdict } from '../ingest.js'
import type { Logger } from '../logger.js'
import type { Topics } from './topics.js'

/** The ingest verdict as gossipsub's: the one place the two vocabularies meet. */
export function topicValidatorResult(verdict: IngestVerdict): TopicValidatorResult {
  return verdict === 'accept'
    ? TopicValidatorResult.Accept
    : verdict === 'reject'
      ? TopicValidatorResult.Reject
      : TopicValidatorResult.Ignore
}

export interface GossipInit {
  topics: Topics
  ingest: Ingest
}

/**
 * Gossip: both topics' validators feed the ingest path (a reject costs the forwarding
 * peer its score, an ignore does not), subscriptions, and publishing.
 */
export class GossipService implements Startable {
  private readonly log: Logger

  constructor(
    private readonly components: AlaraComponents,
    private readonly init: GossipInit,
  ) {
    this.log = components.logger('alara:gossip')
  }

  get topics(): Topics {
    return this.init.topics
  }

  start(): void {
    const pubsub = this.components.libp2p.services.pubsub
    const { topics, ingest } = this.init
    // Async: gossipsub awaits the verdict (the signature is verified on a pool thread)
    // before it forwards or penalizes.
    pubsub.topicValidators.set(topics.contributions, async (from: PeerId, msg) =>
      topicValidatorResult((await ingest.contribution(msg.data, { via: 'gossip', from })).verdict),
    )
    pubsub.topicValidators.set(topics.votes, (from: PeerId, msg) =>
      topicValidatorResult(ingest.vote(msg.data, { via: 'gossip', from }).verdict),
    )
    pubsub.subscribe(topics.contributions)
    pubsub.subscribe(topics.votes)
  }

  stop(): void {
    const pubsub = this.components.libp2p.services.pubsub
    pubsub.topicValidators.delete(this.init.topics.contributions)
    pubsub.topicValidators.delete(this.init.topics.votes)
  }

  /** Publishes a signed vote; a failure is only logged (sync delivers it later). */
  async publishVote(epoch: number, encoded: Uint8Array): Promise<void> {
    await this.components.libp2p.services.pubsub
      .publish(this.init.topics.votes, encoded)
      .catch((err: Error) => {
        this.log.debug(() => `vote ${epoch}: publish failed (${err.message})`)
      })
  }
}
