import { domain, LayoutWriter, strBytes } from './layout.js'
import { sha256 } from './platform.js'
import type { UnsignedContribution, UnsignedVote } from './types.js'
import { voteCommitsTail } from './vote-commits.js'

/**
 * Signing bytes and ids of version 1's messages (docs/PROTOCOL.md, "Wire format"), from
 * their fields alone: no key and no node: import, so that a browser (@alara/client)
 * computes them with the daemon's code. Signatures are signing.ts's.
 */

export const CONTRIBUTION_DOMAIN = 'alara/v1/contribution'
export const VOTE_DOMAIN = 'alara/v1/vote'

const CONTRIBUTION_PREFIX = domain(CONTRIBUTION_DOMAIN)
const VOTE_PREFIX = domain(VOTE_DOMAIN)

/** `"alara/v1/contribution" 0x00 | str network | b origin | u64 seq | u64 epoch | u64 timestamp_ms | u32 bit_length | b bits` */
export function contributionSigningBytes(u: UnsignedContribution): Uint8Array {
  const network = strBytes(u.network)
  const size = CONTRIBUTION_PREFIX.length + 2 + network.length + 4 + u.origin.length
  return new LayoutWriter(size + 8 * 3 + 4 + 4 + u.bits.length)
    .raw(CONTRIBUTION_PREFIX)
    .str(network)
    .b(u.origin)
    .u64(u.seq, 'seq')
    .u64(u.epoch, 'epoch')
    .u64(u.timestampMs, 'timestampMs')
    .u32(u.bitLength, 'bitLength')
    .b(u.bits).bytes
}

/**
 * `"alara/v1/vote" 0x00 | str network | b origin | u64 epoch | b digest | u32 count | b beacon | u64 timestamp_ms`,
 * then, for a vote of version 2 with commit_count > 0, `bin commits_digest ‖ u32
 * commit_count` (vote-commits.ts). With no commits: version 1's bytes exactly. Throws
 * InvalidInputError when the commit-set fields do not fit together (validation refuses
 * such a vote first, as COMMITS_DIGEST).
 */
export function voteSigningBytes(u: UnsignedVote): Uint8Array {
  const tail = voteCommitsTail(u.commitsDigest ?? NO_COMMITS, u.commitCount ?? 0)
  const network = strBytes(u.network)
  const size = VOTE_PREFIX.length + 2 + network.length + 4 + u.origin.length
  return new LayoutWriter(
    size + 8 + 4 + u.digest.length + 4 + 4 + u.beacon.length + 8 + tail.length,
  )
    .raw(VOTE_PREFIX)
    .str(network)
    .b(u.origin)
    .u64(u.epoch, 'epoch')
    .b(u.digest)
    .u32(u.count, 'count')
    .b(u.beacon)
    .u64(u.timestampMs, 'timestampMs')
    .raw(tail).bytes
}

const NO_COMMITS = new Uint8Array(0)

/**
 * Gossip message id (docs/PROTOCOL.md, "Canonical encoding and message ids"): SHA-256 of
 * the whole encoded message, signature included, so a forged or padded copy of a message
 * never shares the genuine one's id. Storage, digests and sync keep the contribution id.
 */
export function gossipMessageId(encoded: Uint8Array): Uint8Array {
  return sha256(encoded)
}

/** Contribution id = SHA-256(signing bytes): the key of storage, the replica, digests and sync. */
export function contributionId(c: UnsignedContribution): Uint8Array {
  return sha256(contributionSigningBytes(c))
}

/** Vote id = SHA-256(vote signing bytes), the votes topic's message id. */
export function voteId(v: UnsignedVote): Uint8Array {
  return sha256(voteSigningBytes(v))
}
