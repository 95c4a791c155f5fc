import { InvalidInputError } from './errors.js'
import { LayoutWriter } from './layout.js'

/**
 * A vote's commit-set fields in its signing bytes (DESIGN.md, "The shared beacon, version
 * 2", step 2). Here rather than with the rest of version 2's signing bytes
 * (beacon/messages.ts) because version 1's voteSigningBytes appends it, and the beacon
 * modules themselves depend on signing.ts.
 */

/** commits_digest is D_r, a SHA-256 */
export const COMMITS_DIGEST_BYTES = 32

const NO_TAIL = new Uint8Array(0)

/**
 * Why these commit-set fields cannot be signed or accepted, or undefined when they can:
 * a 32-byte digest with commit_count > 0, no digest with 0.
 */
export function voteCommitsProblem(
  commitsDigest: Uint8Array,
  commitCount: number,
): string | undefined {
  if (commitCount === 0)
    return commitsDigest.length === 0
      ? undefined
      : `commits_digest is ${commitsDigest.length} bytes with commit_count 0: a vote with no commits carries no commits digest`
  if (commitsDigest.length !== COMMITS_DIGEST_BYTES)
    return `commits_digest is ${commitsDigest.length} bytes with commit_count ${commitCount}, not ${COMMITS_DIGEST_BYTES}`
  return undefined
}

/**
 * What a vote's signing bytes end with when it carries commits: `bin commits_digest ‖
 * u32 commit_count`, and nothing when commit_count = 0 (then the digest must be empty and
 * the bytes are version 1's, so the v1 vectors stay valid). Throws InvalidInputError for
 * fields that do not fit together.
 */
export function voteCommitsTail(commitsDigest: Uint8Array, commitCount: number): Uint8Array {
  const problem = voteCommitsProblem(commitsDigest, commitCount)
  if (problem !== undefined) throw new InvalidInputError(problem)
  if (commitCount === 0) return NO_TAIL
  return new LayoutWriter(4 + COMMITS_DIGEST_BYTES + 4)
    .b(commitsDigest)
    .u32(commitCount, 'commitCount').bytes
}
