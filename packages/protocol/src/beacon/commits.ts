import { compare } from 'uint8arrays/compare'
import { BadElementError, InvalidInputError } from '../errors.js'
import { LayoutWriter, strBytes } from '../layout.js'
import { sha256, toHex } from '../platform.js'
import { dst, os2ip } from './bytes.js'
import { abs, ELEMENT_BYTES, enc, G, GID, isElement, powFixed } from './group.js'

/**
 * Commits of version 2: a member's c = |g^α| for a secret α of 272 bytes, the epoch's
 * commit set C_r frozen at the admission deadline, its digest D_r and each commit's weight
 * ℓ_i, which the combination and the recovery raise c_i to.
 */

/** α is 272 bytes: 2176 bits, 128 above N's, so g^α hides α statistically. */
export const ALPHA_BYTES = 272
const WEIGHT_TOP = 1n << 127n

/** c = |g^α|, α read as a big-endian integer of exactly 272 bytes. */
export function commitValue(alpha: Uint8Array): bigint {
  if (alpha.length !== ALPHA_BYTES)
    throw new InvalidInputError(`alpha is ${alpha.length} bytes, not ${ALPHA_BYTES}`)
  return abs(powFixed(G, os2ip(alpha)))
}

/** One member's commit of the epoch: its origin and its decoded c. */
export interface EpochCommit {
  origin: Uint8Array
  c: bigint
}

export interface CommitSetMember extends EpochCommit {
  originHex: string
  /** ℓ_i */
  weight: bigint
}

/** C_r with its digest and weights: what reveals are checked and recoveries made against. */
export interface CommitSet {
  network: string
  epoch: number
  /** squarings of the time-lock (part of D_r: a set is bound to its T) */
  T: number
  /** D_r */
  digest: Uint8Array
  /** sorted by origin bytes */
  members: CommitSetMember[]
}

/** Byte order of origins (shorter first on a common prefix), the order of D_r. */
export function compareOrigins(a: Uint8Array, b: Uint8Array): number {
  return compare(a, b)
}

function sortedCommits(commits: readonly EpochCommit[]): EpochCommit[] {
  const sorted = [...commits].sort((a, b) => compareOrigins(a.origin, b.origin))
  for (let i = 0; i < sorted.length; i++) {
    const { origin, c } = sorted[i] as EpochCommit
    if (i > 0 && compareOrigins((sorted[i - 1] as EpochCommit).origin, origin) === 0)
      throw new InvalidInputError(`two commits of origin ${toHex(origin)}: one per origin`)
    if (!isElement(c)) throw new BadElementError(`commit of ${toHex(origin)} is not an element`)
  }
  return sorted
}

const COMMITS_PREFIX = dst('commits')

/**
 * D_r = SHA-256(DST("commits") ‖ GID ‖ str network ‖ u64 T ‖ u64 r ‖ u32 n ‖
 * (bin origin ‖ enc c) for each commit sorted by origin bytes).
 */
export function commitsDigest(
  network: string,
  T: number,
  epoch: number,
  commits: readonly EpochCommit[],
): Uint8Array {
  return digestOf(network, T, epoch, sortedCommits(commits))
}

function digestOf(network: string, T: number, epoch: number, sorted: EpochCommit[]): Uint8Array {
  const name = strBytes(network)
  let size = COMMITS_PREFIX.length + GID.length + 2 + name.length + 8 + 8 + 4
  for (const { origin } of sorted) size += 4 + origin.length + ELEMENT_BYTES
  const w = new LayoutWriter(size)
    .raw(COMMITS_PREFIX)
    .raw(GID)
    .str(name)
    .u64(T, 'T')
    .u64(epoch, 'epoch')
    .u32(sorted.length, 'commit count')
  for (const { origin, c } of sorted) w.b(origin).raw(enc(c))
  return sha256(w.bytes)
}

const WEIGHT_PREFIX = dst('weight')

/**
 * ℓ_i = OS2IP(first 16 bytes of SHA-256(DST("weight") ‖ D_r ‖ bin origin_i ‖ enc c_i)) OR
 * 2^127. The weights hang on D_r, which holds every commit, so a last committer cannot
 * choose c to cancel the others': any c it picks changes every weight. The top bit keeps
 * each weight away from 0 and small values.
 */
export function commitWeight(digest: Uint8Array, origin: Uint8Array, c: bigint): bigint {
  const input = new LayoutWriter(
    WEIGHT_PREFIX.length + digest.length + 4 + origin.length + ELEMENT_BYTES,
  )
    .raw(WEIGHT_PREFIX)
    .raw(digest)
    .b(origin)
    .raw(enc(c)).bytes
  return os2ip(sha256(input).subarray(0, 16)) | WEIGHT_TOP
}

/** C_r: the commits sorted, D_r and the weights. Refuses duplicate origins and non-elements. */
export function commitSet(
  network: string,
  T: number,
  epoch: number,
  commits: readonly EpochCommit[],
): CommitSet {
  const sorted = sortedCommits(commits)
  const digest = digestOf(network, T, epoch, sorted)
  const members = sorted.map(({ origin, c }) => ({
    origin,
    originHex: toHex(origin),
    c,
    weight: commitWeight(digest, origin, c),
  }))
  return { network, epoch, T, digest, members }
}
