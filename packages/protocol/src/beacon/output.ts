import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { InvalidInputError } from '../errors.js'
import { LayoutWriter, strBytes } from '../layout.js'
import { sha256, toHex } from '../platform.js'
import { dst } from './bytes.js'
import { type CommitSet, compareOrigins } from './commits.js'
import { abs, ELEMENT_BYTES, enc, GID, mulN, multiPowN, powFixed } from './group.js'
import { type RevealCheck, weightedSum } from './reveals.js'
import {
  evaluateTimelock,
  type TimelockOptions,
  type TimelockOutput,
  verifyTimelock,
} from './timelock.js'

/**
 * Recovery and output of version 2. With R the revealed members and M = C_r \ R:
 *   X = |Π_{j∈M} c_j^ℓ_j|, y = X^(2^T), Y = |h^A · y| (y = 1 when M is empty),
 *   Ω_r = SHA-256(DST("beacon") ‖ GID ‖ str network ‖ u64 r ‖ D_r ‖ enc Y).
 * h = g^(2^T), so Y = |(Π_{i∈C} c_i^ℓ_i)^(2^T)| whoever withheld: withholding delays Ω_r
 * by a recovery and never changes it.
 */

/** A recovery of the members a set withheld (the fields of the Recovery message). */
export interface Recovery {
  /** D_r of the set it recovers */
  commitsDigest: Uint8Array
  /** origins of the withheld members, sorted by origin bytes, no repeats */
  withheld: Uint8Array[]
  /** |X^(2^T)| */
  y: bigint
  /** Wesolowski's π */
  proof: bigint
}

/** X = |Π_{j∈M} c_j^ℓ_j| for M given by origin hex (each must be in the set). */
export function withheldBase(set: CommitSet, withheld: readonly string[]): bigint {
  const wanted = new Set(withheld)
  const members = set.members.filter((m) => wanted.has(m.originHex))
  if (members.length !== wanted.size)
    throw new InvalidInputError('a withheld origin is not in the set')
  return abs(
    multiPowN(
      members.map((m) => m.c),
      members.map((m) => m.weight),
    ),
  )
}

/** Runs the T squarings for the withheld members (hex, in any order) and proves them. */
export async function recoverWithheld(
  set: CommitSet,
  withheld: readonly string[],
  options: TimelockOptions = {},
): Promise<Recovery & { x: bigint; prime: bigint }> {
  const wanted = new Set(withheld)
  const origins = set.members.filter((m) => wanted.has(m.originHex)).map((m) => m.origin)
  const x = withheldBase(set, [...wanted])
  const out: TimelockOutput = await evaluateTimelock(x, set.T, options)
  return { commitsDigest: set.digest, withheld: origins, x, ...out }
}

/**
 * True when the recovery is for this set (same D_r), names a non-empty sorted list of its
 * members, and its proof holds for their X. Whether those are the members without a valid
 * reveal is the combination's business (beaconOutcome): a proof is valid or not alone.
 */
export function verifyRecovery(set: CommitSet, recovery: Recovery): boolean {
  if (!uint8ArrayEquals(recovery.commitsDigest, set.digest)) return false
  const { withheld } = recovery
  if (withheld.length === 0) return false
  for (let i = 1; i < withheld.length; i++)
    if (compareOrigins(withheld[i - 1] as Uint8Array, withheld[i] as Uint8Array) >= 0) return false
  const members = new Set(set.members.map((m) => m.originHex))
  const hexes = withheld.map(toHex)
  if (!hexes.every((h) => members.has(h))) return false
  return verifyTimelock(withheldBase(set, hexes), set.T, recovery.y, recovery.proof)
}

const BEACON_PREFIX = dst('beacon')

/** Ω_r = SHA-256(DST("beacon") ‖ GID ‖ str network ‖ u64 r ‖ D_r ‖ enc Y). */
export function beaconValue(set: CommitSet, Y: bigint): Uint8Array {
  const network = strBytes(set.network)
  const size = BEACON_PREFIX.length + GID.length + 2 + network.length + 8 + set.digest.length
  return sha256(
    new LayoutWriter(size + ELEMENT_BYTES)
      .raw(BEACON_PREFIX)
      .raw(GID)
      .str(network)
      .u64(set.epoch, 'epoch')
      .raw(set.digest)
      .raw(enc(Y)).bytes,
  )
}

export type BeaconOutcome =
  | {
      status: 'revealed' | 'recovered'
      /** Y = |h^A · y| */
      Y: bigint
      /** Ω_r */
      beacon: Uint8Array
      /** origin hex of the members the output took from the recovery (none if revealed) */
      withheld: string[]
    }
  | {
      /** some member has no valid reveal and no usable recovery covers it yet */
      status: 'pending'
      withheld: string[]
    }

/**
 * The output from the reveals and, when some member withheld, a recovery: revealed when
 * every member's reveal is valid; recovered when a valid recovery's members together
 * with valid reveals cover C_r (a member in both counts as withheld: same Y); otherwise
 * pending. `h` = g^(2^T) for the set's T.
 */
export function beaconOutcome(
  set: CommitSet,
  h: bigint,
  check: RevealCheck,
  recovery?: Recovery,
): BeaconOutcome {
  const output = (A: bigint, y: bigint, status: 'revealed' | 'recovered', withheld: string[]) => {
    const Y = abs(mulN(powFixed(h, A), y))
    return { status, Y, beacon: beaconValue(set, Y), withheld }
  }
  if (check.withheld.length === 0)
    return output(weightedSum(set, check.alphas, check.revealed), 1n, 'revealed', [])
  if (recovery === undefined || !verifyRecovery(set, recovery))
    return { status: 'pending', withheld: check.withheld }
  const recovered = new Set(recovery.withheld.map(toHex))
  const rest = set.members.map((m) => m.originHex).filter((hex) => !recovered.has(hex))
  if (!rest.every((hex) => check.alphas.has(hex)))
    return { status: 'pending', withheld: check.withheld }
  return output(weightedSum(set, check.alphas, rest), recovery.y, 'recovered', [...recovered])
}

const RANK_PREFIX = dst('rank')

/** SHA-256(DST("rank") ‖ u64 r ‖ bin origin): members recover in ascending order of it. */
export function recoveryRankKey(epoch: number, origin: Uint8Array): Uint8Array {
  return sha256(
    new LayoutWriter(RANK_PREFIX.length + 8 + 4 + origin.length)
      .raw(RANK_PREFIX)
      .u64(epoch, 'epoch')
      .b(origin).bytes,
  )
}
