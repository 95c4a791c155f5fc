import { compare } from 'uint8arrays/compare'
import { concat } from 'uint8arrays/concat'
import type { ProtocolParams } from './config.js'
import { InvalidInputError } from './errors.js'
import { assertU64, domain, LayoutWriter, strBytes } from './layout.js'
import { sha256 } from './platform.js'

/**
 * Epoch arithmetic and the epoch-level hashes (docs/PROTOCOL.md, "Fold and derived
 * values"). Byte layouts use the signing conventions: big-endian integers and
 * `str` = u16 length + UTF-8.
 *
 * - epoch digest(r) = SHA-256("alara/v1/epoch" 0x00 | str network | u64 r | u32 n | id_1 … id_n),
 *   ids sorted ascending (bytewise).
 * - beacon(r) = SHA-256("alara/v1/beacon" 0x00 | str network | u64 r | digest(r) | bits_1 … bits_n),
 *   bits_i the raw packed `bits` of contribution i in the same id order; no beacon for n = 0.
 * - pool digest = SHA-256(id_1 | … | id_n) over the sorted ids of every retained folded
 *   contribution: one ascending order across all retained epochs (not grouped by epoch),
 *   no prefix and no count, exactly as the design words it. Empty pool: SHA-256 of nothing.
 */

const ID_BYTES = 32
const DIGEST_BYTES = 32

const EPOCH_DOMAIN = domain('alara/v1/epoch')
const BEACON_DOMAIN = domain('alara/v1/beacon')

function assertId(id: Uint8Array, what = 'id'): void {
  if (id.length !== ID_BYTES)
    throw new InvalidInputError(`${what} must be ${ID_BYTES} bytes, got ${id.length}`)
}

/** Bytewise ascending order of ids (uint8arrays' compare). */
export const compareIds = compare

/** One-shot over a joined buffer: per-update overhead dominates for thousands of ids. */
function sha256Of(parts: readonly Uint8Array[]): Uint8Array {
  return sha256(concat(parts as Uint8Array[]))
}

/** Epoch digest over the folded ids of epoch r; `ids` in any order (a sorted copy is used). */
export function epochDigest(
  network: string,
  epoch: number,
  ids: readonly Uint8Array[],
): Uint8Array {
  for (const id of ids) assertId(id)
  const sorted = [...ids].sort(compareIds)
  return sha256Of([
    EPOCH_DOMAIN,
    head(network, epoch, 4).u32(sorted.length, 'id count').bytes,
    ...sorted,
  ])
}

/**
 * Beacon of epoch r. `bitsInIdOrder` are the raw `bits` fields of the folded contributions
 * in ascending id order (the order of the digest); an empty epoch has no beacon, so an
 * empty list is refused rather than hashed.
 */
export function epochBeacon(
  network: string,
  epoch: number,
  digest: Uint8Array,
  bitsInIdOrder: readonly Uint8Array[],
): Uint8Array {
  if (digest.length !== DIGEST_BYTES)
    throw new InvalidInputError(`digest must be ${DIGEST_BYTES} bytes, got ${digest.length}`)
  if (bitsInIdOrder.length === 0)
    throw new InvalidInputError(`epoch ${epoch} has no folded contribution, so no beacon`)
  return sha256Of([BEACON_DOMAIN, head(network, epoch, 0).bytes, digest, ...bitsInIdOrder])
}

/** `str network | u64 r`, with room for `trailing` more bytes (the digest's u32 count). */
function head(network: string, epoch: number, trailing: number): LayoutWriter {
  const name = strBytes(network)
  return new LayoutWriter(2 + name.length + 8 + trailing).str(name).u64(epoch, 'epoch')
}

/** Pool digest: SHA-256 over the ids sorted ascending, concatenated (see the module note). */
export function poolDigest(ids: readonly Uint8Array[]): Uint8Array {
  for (const id of ids) assertId(id)
  return sha256Of([...ids].sort(compareIds))
}

// ---- time ----------------------------------------------------------------------------

type EpochTiming = Pick<ProtocolParams, 'epochMs' | 'graceMs' | 'finalMs'>

function assertEpochMs(epochMs: number): void {
  if (!Number.isSafeInteger(epochMs) || epochMs <= 0)
    throw new InvalidInputError(`epochMs must be a positive integer, got ${epochMs}`)
}

/** floor(timestampMs / epochMs): the epoch a contribution signed at `timestampMs` belongs to. */
export function epochOf(timestampMs: number, epochMs: number): number {
  assertU64(timestampMs, 'timestampMs')
  assertEpochMs(epochMs)
  return Math.floor(timestampMs / epochMs)
}

/** First millisecond of epoch r (inclusive). */
export function epochStart(r: number, epochMs: number): number {
  assertU64(r, 'epoch')
  assertEpochMs(epochMs)
  return r * epochMs
}

/** End of epoch r, exclusive: r spans [start(r), end(r)). */
export function epochEnd(r: number, epochMs: number): number {
  return epochStart(r, epochMs) + epochMs
}

/** When the node closes epoch r and votes: end(r) + graceMs. */
export function epochCloseMs(r: number, params: EpochTiming): number {
  return epochEnd(r, params.epochMs) + params.graceMs
}

/** When epoch r becomes final: end(r) + finalMs. */
export function epochFinalMs(r: number, params: EpochTiming): number {
  return epochEnd(r, params.epochMs) + params.finalMs
}

export type EpochPhase = 'open' | 'closed' | 'final'

/** open before close, closed from close until final, final from then on (both inclusive). */
export function epochPhase(r: number, nowMs: number, params: EpochTiming): EpochPhase {
  assertU64(nowMs, 'nowMs')
  if (nowMs >= epochFinalMs(r, params)) return 'final'
  if (nowMs >= epochCloseMs(r, params)) return 'closed'
  return 'open'
}

/** Newest epoch whose boundary end(r) + offsetMs is at or before nowMs, if any. */
function lastEpochPast(nowMs: number, epochMs: number, offsetMs: number): number | undefined {
  assertU64(nowMs, 'nowMs')
  assertEpochMs(epochMs)
  const r = Math.floor((nowMs - offsetMs) / epochMs) - 1
  return r >= 0 ? r : undefined
}

/** Newest closed epoch at nowMs (undefined before the first close). */
export function lastClosedEpoch(nowMs: number, params: EpochTiming): number | undefined {
  return lastEpochPast(nowMs, params.epochMs, params.graceMs)
}

/** Newest final epoch at nowMs (undefined before the first one). */
export function lastFinalEpoch(nowMs: number, params: EpochTiming): number | undefined {
  return lastEpochPast(nowMs, params.epochMs, params.finalMs)
}

/** Oldest epoch of the retained window ending at `currentEpoch` (retainEpochs epochs in all). */
export function oldestRetainedEpoch(currentEpoch: number, retainEpochs: number): number {
  assertU64(currentEpoch, 'epoch')
  if (!Number.isSafeInteger(retainEpochs) || retainEpochs < 1)
    throw new InvalidInputError(`retainEpochs must be a positive integer, got ${retainEpochs}`)
  return Math.max(0, currentEpoch - retainEpochs + 1)
}
