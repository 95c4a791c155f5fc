import type { VerifiedContribution } from '@alara/protocol'

/**
 * Copies of what a node keeps from a received message. Gossipsub's `msg.data` is a view
 * into the whole RPC frame and decoded fields are views into the message: keeping either
 * would pin the larger buffer for as long as the kept value lives. Copy at the point of
 * keeping (`slice` allocates a buffer of exactly the kept length).
 */

export const ownedBytes = (bytes: Uint8Array): Uint8Array => bytes.slice()

export function ownedContribution(v: VerifiedContribution): VerifiedContribution {
  const c = v.contribution
  return {
    id: v.id.slice(),
    idHex: v.idHex,
    originHex: v.originHex,
    contribution: {
      ...c,
      origin: c.origin.slice(),
      bits: c.bits.slice(),
      signature: c.signature.slice(),
    },
  }
}
