import type { GossipsubOpts } from '@libp2p/gossipsub'
import { createTopicScoreParams, type TopicScoreParams } from '@libp2p/gossipsub/score'
import { allTopics, type Topics } from './topics.js'

/**
 * Scoring that punishes invalid messages hard (three rejects take a peer below the
 * graylist threshold) and nothing else an honest LAN peer does: quiet peers are not
 * penalised for few mesh deliveries (an entropy source may inject rarely), and many
 * daemons behind one address (a host running several, loopback tests) are tolerated.
 */
export function topicScoreParams(): TopicScoreParams {
  return createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 300,
    firstMessageDeliveriesWeight: 0.5,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 20,
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: -10,
    // per decayInterval (1 s): a reject is forgotten over minutes, not seconds
    invalidMessageDeliveriesDecay: 0.99,
  })
}

/** The peer score parameters of every topic (gossipsub's `scoreParams`). */
export function scoreParams(topics: Topics): NonNullable<GossipsubOpts['scoreParams']> {
  return {
    topics: Object.fromEntries(allTopics(topics).map((t) => [t, topicScoreParams()])),
    IPColocationFactorWeight: -1,
    IPColocationFactorThreshold: 64,
    IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1']),
  }
}
