import type { Vote } from './types.js'
import { voteCommitsProblem } from './vote-commits.js'

/**
 * What a vote's fields must look like whatever else holds (docs/PROTOCOL.md,
 * "Validation"): a 32-byte digest, a beacon of 0 or 32 bytes, empty exactly when count is
 * 0, and version 2's commit-set fields together (a 32-byte commits_digest exactly when
 * commit_count > 0). Shared by a vote's own validation and that of the vouchers its evidence carries.
 */
export type VoteShapeReason = 'DIGEST_LENGTH' | 'BEACON_LENGTH' | 'BEACON_COUNT' | 'COMMITS_DIGEST'

export function voteShapeProblem(
  v: Vote,
): { reason: VoteShapeReason; message: string } | undefined {
  if (v.digest.length !== 32)
    return {
      reason: 'DIGEST_LENGTH',
      message: `digest is ${v.digest.length} bytes, expected 32`,
    }
  if (v.beacon.length !== 0 && v.beacon.length !== 32)
    return {
      reason: 'BEACON_LENGTH',
      message: `beacon is ${v.beacon.length} bytes, expected 0 or 32`,
    }
  if ((v.count === 0) !== (v.beacon.length === 0))
    return {
      reason: 'BEACON_COUNT',
      message: `count ${v.count} with a ${v.beacon.length}-byte beacon: the beacon is empty iff count is 0`,
    }
  const commits = voteCommitsProblem(v.commitsDigest ?? NONE, v.commitCount ?? 0)
  if (commits !== undefined) return { reason: 'COMMITS_DIGEST', message: commits }
  return undefined
}

const NONE = new Uint8Array(0)
