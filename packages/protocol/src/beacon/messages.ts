import { InvalidInputError } from '../errors.js'
import { LayoutWriter, strBytes } from '../layout.js'
import { voteSigningBytes } from '../signing.js'
import type { UnsignedVote } from '../types.js'
import { concatBytes, dst } from './bytes.js'

/**
 * Signing bytes of version 2's messages, from their fields alone (the wire codec is
 * elsewhere): Commit, Reveal, and the tail a vote's signing bytes take when it carries a
 * commit-set digest. Byte strings are signed as they travel (`c` as its 256 bytes, `alpha`
 * as its 272), so a signature is checked before anything is decoded.
 */

export interface CommitSigningFields {
  network: string
  origin: Uint8Array
  epoch: number
  /** enc c, 256 bytes */
  c: Uint8Array
  timestampMs: number
}

export interface RevealSigningFields {
  network: string
  origin: Uint8Array
  epoch: number
  /** α, 272 bytes */
  alpha: Uint8Array
}

const COMMIT_PREFIX = dst('commit')
const REVEAL_PREFIX = dst('reveal')
/** commits_digest is a SHA-256 */
const COMMITS_DIGEST_BYTES = 32

/** DST("commit") ‖ str network ‖ bin origin ‖ u64 epoch ‖ bin c ‖ u64 timestamp_ms */
export function commitSigningBytes(f: CommitSigningFields): Uint8Array {
  const network = strBytes(f.network)
  const size = COMMIT_PREFIX.length + 2 + network.length + 4 + f.origin.length + 8
  return new LayoutWriter(size + 4 + f.c.length + 8)
    .raw(COMMIT_PREFIX)
    .str(network)
    .b(f.origin)
    .u64(f.epoch, 'epoch')
    .b(f.c)
    .u64(f.timestampMs, 'timestampMs').bytes
}

/** DST("reveal") ‖ str network ‖ bin origin ‖ u64 epoch ‖ bin alpha */
export function revealSigningBytes(f: RevealSigningFields): Uint8Array {
  const network = strBytes(f.network)
  const size = REVEAL_PREFIX.length + 2 + network.length + 4 + f.origin.length + 8
  return new LayoutWriter(size + 4 + f.alpha.length)
    .raw(REVEAL_PREFIX)
    .str(network)
    .b(f.origin)
    .u64(f.epoch, 'epoch')
    .b(f.alpha).bytes
}

/**
 * What a vote's signing bytes end with when it carries commits: `bin commits_digest ‖
 * u32 commit_count`, and nothing when commit_count = 0 (then the digest must be empty and
 * the bytes are version 1's, so the v1 vectors stay valid).
 */
export function voteCommitsTail(commitsDigest: Uint8Array, commitCount: number): Uint8Array {
  if (commitCount === 0) {
    if (commitsDigest.length !== 0)
      throw new InvalidInputError('a vote with no commits carries no commits digest')
    return new Uint8Array(0)
  }
  if (commitsDigest.length !== COMMITS_DIGEST_BYTES)
    throw new InvalidInputError(`commits digest is ${commitsDigest.length} bytes, not 32`)
  return new LayoutWriter(4 + COMMITS_DIGEST_BYTES + 4)
    .b(commitsDigest)
    .u32(commitCount, 'commitCount').bytes
}

/** A vote's signing bytes with its commit-set fields: version 1's, then the tail. */
export function voteSigningBytesWithCommits(
  u: UnsignedVote,
  commitsDigest: Uint8Array,
  commitCount: number,
): Uint8Array {
  const tail = voteCommitsTail(commitsDigest, commitCount)
  const base = voteSigningBytes(u)
  return tail.length === 0 ? base : concatBytes(base, tail)
}
