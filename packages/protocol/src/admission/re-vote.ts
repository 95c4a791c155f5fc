import { fromHex } from '../signing.js'
import type { Vote } from '../types.js'
import { encodeVote } from '../wire/codec.js'
import type { VoucherEvidence } from './book.js'

/**
 * A vote as gossiped (DESIGN.md "Re-votes carry their evidence"): with its evidence, its
 * own ids then its vouchers, outside the signature, so that a receiver checks the vouchers
 * with no request; without the vouchers, then without any evidence, when that would pass
 * maxVoteBytes.
 */
export function encodeWithEvidence(
  vote: Vote,
  ownIds: readonly string[],
  vouchers: readonly VoucherEvidence[],
  maxVoteBytes: number,
): Uint8Array {
  const own = { ids: ownIds.map(fromHex) }
  const entries = vouchers.map((v) => ({ vote: v.vote, ids: v.ids.map(fromHex) }))
  for (const evidence of [[own, ...entries], [own]]) {
    const encoded = encodeVote({ ...vote, evidence })
    if (encoded.length <= maxVoteBytes) return encoded
  }
  return encodeVote(vote)
}
