import { gossipMessageId } from '@alara/protocol'
import type { Message } from '@libp2p/gossipsub'

/**
 * Gossipsub's message id is the gossip message id of docs/PROTOCOL.md ("Canonical
 * encoding and message ids"): SHA-256 of the encoded message, signature included, on both
 * topics. A forged or padded copy therefore has its own id and cannot make the router drop
 * the genuine message as a duplicate. The router calls this for every copy it receives,
 * duplicates included, so it only hashes: decoding is left to the topic validator, which
 * runs once per new id. Storage, digests and sync stay keyed by the contribution id.
 */
export function msgIdFn(msg: Message): Uint8Array {
  return gossipMessageId(msg.data)
}
