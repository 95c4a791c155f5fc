import type { ProtocolParams } from '@alara/protocol'
import type { GossipsubOpts } from '@libp2p/gossipsub'

/**
 * Gossipsub frame bounds derived from parameters every node of a network shares
 * (`maxMessageBytes`, and `maxVoteBytes` for a vote carrying its evidence), so they are
 * equal on every node: a frame above a receiver's limit
 * kills the sender's stream to it. One RPC may carry a batch of messages (an IWANT answer)
 * plus control; the frame is sized for that and no more, so a peer cannot make a node
 * buffer megabytes for a frame that holds one 200-byte vote.
 */

/** maximum-size messages one RPC frame may carry (gossipsub `decodeRpcLimits.maxMessages`) */
export const GOSSIP_BATCH_MESSAGES = 64
/** protobuf envelope of one message in an RPC: topic string, tags, lengths */
export const GOSSIP_MESSAGE_OVERHEAD_BYTES = 256
/** message ids per IHAVE / IWANT (gossipsub's own GossipsubMaxIHaveLength is 5000) */
export const GOSSIP_MAX_IHAVE_IDS = 5000
export const GOSSIP_MAX_IDONTWANT_IDS = 512
/** one message id on the wire: 32-byte SHA-256 plus tag and length */
const MESSAGE_ID_WIRE_BYTES = 34
/** subscriptions, graft/prune and peer-exchange records of one RPC */
const CONTROL_SLACK_BYTES = 16 * 1024

export interface GossipFrameLimits {
  maxInboundDataLength: number
  decodeRpcLimits: NonNullable<GossipsubOpts['decodeRpcLimits']>
}

export function gossipFrameLimits(
  params: Pick<ProtocolParams, 'maxMessageBytes' | 'maxVoteBytes'>,
): GossipFrameLimits {
  const largest = Math.max(params.maxMessageBytes, params.maxVoteBytes)
  const messages = GOSSIP_BATCH_MESSAGES * (largest + GOSSIP_MESSAGE_OVERHEAD_BYTES)
  const control =
    (2 * GOSSIP_MAX_IHAVE_IDS + GOSSIP_MAX_IDONTWANT_IDS) * MESSAGE_ID_WIRE_BYTES +
    CONTROL_SLACK_BYTES
  return {
    maxInboundDataLength: messages + control,
    decodeRpcLimits: {
      // five topics; more subscriptions in one RPC are not an ALARA peer's
      maxSubscriptions: 16,
      maxMessages: GOSSIP_BATCH_MESSAGES,
      maxIhaveMessageIDs: GOSSIP_MAX_IHAVE_IDS,
      maxIwantMessageIDs: GOSSIP_MAX_IHAVE_IDS,
      maxIdontwantMessageIDs: GOSSIP_MAX_IDONTWANT_IDS,
      maxControlMessages: 16,
      maxPeerInfos: 16,
    },
  }
}
