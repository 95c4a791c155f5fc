import { compare } from 'uint8arrays/compare'
import { DecodeError, InvalidInputError, NonCanonicalError } from '../errors.js'
import type { VoteEvidence } from '../types.js'
import type * as wire from './wire.js'

/**
 * A re-vote's evidence on the wire (wire.proto, Vote field 11), compact and canonical.
 * Entry 0 is the re-voter's own set: vote empty, base 0, no bitmap, extra = its ids
 * ascending, 32 bytes each, concatenated. Every later entry is a voucher: vote = its
 * encoded vote (without evidence), base = 1 (entry 0), bitmap = which of entry 0's ids it
 * covers (MSB first, ceil(n/8) bytes, zero padding), extra = its ids not in entry 0,
 * ascending. A voucher's set is mostly the re-voter's (sets only grow and converge), so an
 * entry costs its vote, n/8 bytes and the few ids that differ. There is one encoding of a
 * given evidence: compact() writes it from any order, expand() accepts nothing else.
 */

const ID = 32
const EMPTY = new Uint8Array(0)

/** The wire entries of expanded evidence; none for no evidence (the version-1 bytes). */
export function compactEvidence(evidence: readonly VoteEvidence[] | undefined): wire.Evidence[] {
  if (evidence === undefined || evidence.length === 0) return []
  const [own, ...vouchers] = evidence as [VoteEvidence, ...VoteEvidence[]]
  if (own.vote !== undefined && own.vote.length > 0)
    throw new InvalidInputError('evidence entry 0 is the voter’s own set: it has no vote')
  const base = sortedIds(own.ids, 0)
  const out: wire.Evidence[] = [{ vote: EMPTY, base: 0, bitmap: EMPTY, extra: concat(base) }]
  vouchers.forEach((entry, i) => {
    if (entry.vote === undefined || entry.vote.length === 0)
      throw new InvalidInputError(`evidence entry ${i + 1} is a voucher: it needs its vote`)
    const ids = sortedIds(entry.ids, i + 1)
    const bitmap = new Uint8Array(Math.ceil(base.length / 8))
    const extra: Uint8Array[] = []
    // both ascending: one merge walk says which ids are in entry 0, and where
    let b = 0
    for (const id of ids) {
      while (b < base.length && compare(base[b] as Uint8Array, id) < 0) b++
      if (b < base.length && compare(base[b] as Uint8Array, id) === 0)
        bitmap[b >> 3] = (bitmap[b >> 3] as number) | (0x80 >> (b & 7))
      else extra.push(id)
    }
    out.push({ vote: entry.vote as Uint8Array<ArrayBuffer>, base: 1, bitmap, extra: concat(extra) })
  })
  return out
}

/**
 * Expanded evidence of decoded wire entries; undefined when there are none. Refuses every
 * shape compactEvidence would not write: DecodeError when an entry cannot be read
 * (lengths, base, a voucher without its vote), NonCanonicalError when it could be
 * written another way (order, duplicates, an id of entry 0 written out, padding).
 */
export function expandEvidence(entries: readonly wire.Evidence[]): VoteEvidence[] | undefined {
  if (entries.length === 0) return undefined
  const [own, ...vouchers] = entries as [wire.Evidence, ...wire.Evidence[]]
  if (own.vote.length > 0 || own.base !== 0 || own.bitmap.length > 0)
    throw new DecodeError(
      'vote evidence entry 0 is the voter’s own set: no vote, base 0 and no bitmap',
    )
  const base = splitIds(own.extra, 0)
  const out: VoteEvidence[] = [{ ids: base }]
  vouchers.forEach((entry, n) => {
    const i = n + 1
    if (entry.vote.length === 0)
      throw new DecodeError(`vote evidence entry ${i} is a voucher without its vote`)
    if (entry.base !== 1)
      throw new DecodeError(`vote evidence entry ${i} has base ${entry.base}; vouchers use 1`)
    if (entry.bitmap.length !== Math.ceil(base.length / 8))
      throw new DecodeError(
        `vote evidence entry ${i} has a ${entry.bitmap.length}-byte bitmap over ${base.length} ids`,
      )
    const spare = entry.bitmap.length * 8 - base.length
    if (spare > 0 && ((entry.bitmap.at(-1) as number) & ((1 << spare) - 1)) !== 0)
      throw new NonCanonicalError(`vote evidence entry ${i} has non-zero bitmap padding`)
    const extra = splitIds(entry.extra, i)
    const chosen = base.filter(
      (_, b) => ((entry.bitmap[b >> 3] as number) & (0x80 >> (b & 7))) !== 0,
    )
    out.push({ vote: entry.vote, ids: mergeDisjoint(chosen, extra, base, i) })
  })
  return out
}

/** Ascending copies of the ids, refused when one is not 32 bytes or repeats. */
function sortedIds(ids: readonly Uint8Array[], entry: number): Uint8Array[] {
  for (const id of ids)
    if (id.length !== ID)
      throw new InvalidInputError(`evidence entry ${entry} has an id of ${id.length} bytes, not 32`)
  const sorted = [...ids].sort(compare)
  for (let i = 1; i < sorted.length; i++)
    if (compare(sorted[i - 1] as Uint8Array, sorted[i] as Uint8Array) === 0)
      throw new InvalidInputError(`evidence entry ${entry} repeats an id`)
  return sorted
}

/** 32-byte views of `bytes`, which must be strictly ascending. */
function splitIds(bytes: Uint8Array, entry: number): Uint8Array[] {
  if (bytes.length % ID !== 0)
    throw new DecodeError(
      `vote evidence entry ${entry} has ${bytes.length} id bytes, not a multiple of 32`,
    )
  const ids: Uint8Array[] = []
  for (let at = 0; at < bytes.length; at += ID) {
    const id = bytes.subarray(at, at + ID)
    const last = ids.at(-1)
    if (last !== undefined && compare(last, id) >= 0)
      throw new NonCanonicalError(`vote evidence entry ${entry} has ids out of order or repeated`)
    ids.push(id)
  }
  return ids
}

/** The ascending union of the chosen ids of entry 0 and the extra ones, none of which may be in entry 0. */
function mergeDisjoint(
  chosen: Uint8Array[],
  extra: Uint8Array[],
  base: Uint8Array[],
  entry: number,
): Uint8Array[] {
  let b = 0
  for (const id of extra) {
    while (b < base.length && compare(base[b] as Uint8Array, id) < 0) b++
    if (b < base.length && compare(base[b] as Uint8Array, id) === 0)
      throw new NonCanonicalError(
        `vote evidence entry ${entry} writes out an id of entry 0 (it belongs in the bitmap)`,
      )
  }
  const out: Uint8Array[] = []
  let c = 0
  let e = 0
  while (c < chosen.length || e < extra.length) {
    const takeChosen =
      e >= extra.length ||
      (c < chosen.length && compare(chosen[c] as Uint8Array, extra[e] as Uint8Array) < 0)
    out.push((takeChosen ? chosen[c++] : extra[e++]) as Uint8Array)
  }
  return out
}

function concat(ids: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(ids.length * ID)
  ids.forEach((id, i) => {
    out.set(id, i * ID)
  })
  return out
}
