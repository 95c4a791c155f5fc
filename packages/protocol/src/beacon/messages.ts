import { LayoutWriter, strBytes } from '../layout.js'
import { voteSigningBytes } from '../signing-bytes.js'
import type { UnsignedVote } from '../types.js'
import { dst } from './bytes.js'

export { COMMITS_DIGEST_BYTES, voteCommitsTail } from '../vote-commits.js'

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
 * A vote's signing bytes with these commit-set fields, whatever the vote itself carries:
 * version 1's, then voteCommitsTail (nothing when commitCount = 0). voteSigningBytes gives
 * the same for a vote that carries them.
 */
export function voteSigningBytesWithCommits(
  u: UnsignedVote,
  commitsDigest: Uint8Array,
  commitCount: number,
): Uint8Array {
  return voteSigningBytes({ ...u, commitsDigest, commitCount })
}
