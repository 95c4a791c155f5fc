/**
 * Copies of what a node keeps from a received message. Gossipsub's `msg.data` is a view
 * into the whole RPC frame and decoded fields are views into the message: keeping either
 * would pin the larger buffer for as long as the kept value lives. Copy at the point of
 * keeping (`slice` allocates a buffer of exactly the kept length).
 */

export const ownedBytes = (bytes: Uint8Array): Uint8Array => bytes.slice()
