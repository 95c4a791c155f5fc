import {
  contributionSigningBytes,
  decodeContribution,
  decodeVote,
  type PreDecoded,
  sha256,
  voteId,
} from '@alara/protocol'
import type { Message } from '@libp2p/gossipsub'

/**
 * Gossipsub's message id is ALARA's content id (contribution id, vote id), so the router
 * drops duplicates before they reach validation. Computing it needs a decode and a hash;
 * the result is kept on the side for the topic validator, which runs right after on the
 * same message object, so each message is decoded and hashed once.
 */

/** Prefix for ids of messages that do not decode: they can never collide with a real id. */
const UNDECODABLE = new TextEncoder().encode('alara/v1/undecodable\0')

export class GossipIds {
  private readonly decoded = new WeakMap<Message, PreDecoded>()

  constructor(
    private readonly topics: { contributions: string; votes: string },
    private readonly maxMessageBytes: number,
  ) {}

  readonly msgIdFn = (msg: Message): Uint8Array => {
    if (msg.data.length <= this.maxMessageBytes) {
      try {
        if (msg.topic === this.topics.contributions) {
          const contribution = decodeContribution(msg.data, { maxBytes: this.maxMessageBytes })
          const signingBytes = contributionSigningBytes(contribution)
          const id = sha256(signingBytes)
          this.decoded.set(msg, { contribution, signingBytes, id })
          return id
        }
        // Votes are few (one per peer and epoch): their validator decodes them again.
        if (msg.topic === this.topics.votes)
          return voteId(decodeVote(msg.data, { maxBytes: this.maxMessageBytes }))
      } catch {
        // falls through: the validator rejects it
      }
    }
    const buf = new Uint8Array(UNDECODABLE.length + msg.data.length)
    buf.set(UNDECODABLE)
    buf.set(msg.data, UNDECODABLE.length)
    return sha256(buf)
  }

  /** The decode done for the id, if it succeeded (consumed: validators call it once). */
  take(msg: Message): PreDecoded | undefined {
    const d = this.decoded.get(msg)
    this.decoded.delete(msg)
    return d
  }
}
