import { compareIds } from '../epoch.js'
import { DecodeError, InvalidInputError } from '../errors.js'
import { strBytes } from '../layout.js'

/**
 * One final epoch as one byte string (docs/PROTOCOL.md, "Frozen epoch records"): what the
 * replica keeps in memory for a final epoch instead of one object per contribution, and
 * what the daemon stores as one value (with one seal) instead of one value per
 * contribution. Big-endian:
 *
 *   u8 format (1) | str network | u64 epoch | u32 cap | u32 m | m × origin | u32 n | n × entry
 *   origin = u16 length | origin bytes | u32 stored | u32 folded | u32 credited
 *            | f64 credit | f64 bits | f64 newest timestamp_ms
 *   entry  = id (32) | u32 origin index | u8 flags (bit 0: folded) | u32 length | encoded
 *
 * Entries are in ascending id order (strictly: an id once). An origin's figures are those
 * the replica keeps for it over this epoch: contributions stored and folded, credited (its
 * `cap` smallest folded ids) with their credit Σ bit_length × h, Σ bit_length, and the
 * newest timestamp. The decoder checks the structure and the counts against the entries;
 * the credit it takes as written (the record is sealed by the node that computed it).
 */

export const FROZEN_RECORD_FORMAT = 1
const ENTRY_HEAD = 32 + 4 + 1 + 4
const ORIGIN_FIGURES = 4 * 3 + 8 * 3

export interface FrozenOrigin {
  /** origin bytes (as in the contributions) */
  origin: Uint8Array
  stored: number
  folded: number
  credited: number
  credit: number
  bits: number
  newestMs: number
}

export interface FrozenEntry {
  id: Uint8Array
  /** index into the origins */
  origin: number
  folded: boolean
  encoded: Uint8Array
}

export interface FrozenRecordInput {
  network: string
  epoch: number
  cap: number
  origins: readonly FrozenOrigin[]
  /** ascending ids */
  entries: readonly FrozenEntry[]
}

/**
 * A decoded record: where each origin's figures and each entry start in `body` (offsets,
 * not objects: a replica keeps one layout per final epoch, ~1000 origins each at 10⁶).
 */
export interface FrozenRecordLayout {
  body: Uint8Array
  network: string
  epoch: number
  cap: number
  /** offset of origin i (its u16 length) in body; read it with originOfRecord */
  originAt: Uint32Array
  /** offset of entry i (its id) in body */
  entryAt: Uint32Array
  folded: number
}

export function encodeFrozenRecord(input: FrozenRecordInput): Uint8Array {
  const network = strBytes(input.network)
  let size = 1 + 2 + network.length + 8 + 4 + 4 + 4
  for (const o of input.origins) size += 2 + o.origin.length + ORIGIN_FIGURES
  for (const e of input.entries) size += ENTRY_HEAD + e.encoded.length
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  let at = 0
  out[at++] = FROZEN_RECORD_FORMAT
  view.setUint16(at, network.length)
  out.set(network, at + 2)
  at += 2 + network.length
  at = putU64(view, at, input.epoch)
  view.setUint32(at, input.cap)
  view.setUint32(at + 4, input.origins.length)
  at += 8
  for (const o of input.origins) {
    if (o.origin.length > 0xffff) throw new InvalidInputError('origin longer than 65535 bytes')
    view.setUint16(at, o.origin.length)
    out.set(o.origin, at + 2)
    at += 2 + o.origin.length
    view.setUint32(at, o.stored)
    view.setUint32(at + 4, o.folded)
    view.setUint32(at + 8, o.credited)
    view.setFloat64(at + 12, o.credit)
    view.setFloat64(at + 20, o.bits)
    view.setFloat64(at + 28, o.newestMs)
    at += ORIGIN_FIGURES
  }
  view.setUint32(at, input.entries.length)
  at += 4
  let previous: Uint8Array | undefined
  for (const e of input.entries) {
    if (e.id.length !== 32) throw new InvalidInputError('an entry id must be 32 bytes')
    if (previous !== undefined && compareIds(previous, e.id) >= 0)
      throw new InvalidInputError('entries must be in strictly ascending id order')
    if (!(e.origin >= 0 && e.origin < input.origins.length))
      throw new InvalidInputError(`entry origin index ${e.origin} out of range`)
    previous = e.id
    out.set(e.id, at)
    view.setUint32(at + 32, e.origin)
    out[at + 36] = e.folded ? 1 : 0
    view.setUint32(at + 37, e.encoded.length)
    out.set(e.encoded, at + ENTRY_HEAD)
    at += ENTRY_HEAD + e.encoded.length
  }
  return out
}

/**
 * Reads a record's layout (no copy of the entries: `body` is kept as is). Refuses with a
 * DecodeError anything that is not a well-formed record: truncation, trailing bytes, ids
 * out of order, an origin index out of range, origin counts that differ from the entries.
 */
export function decodeFrozenRecord(body: Uint8Array): FrozenRecordLayout {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength)
  const need = (at: number, bytes: number) => {
    if (at + bytes > body.length) throw new DecodeError('frozen epoch record is truncated')
  }
  need(0, 3)
  if (body[0] !== FROZEN_RECORD_FORMAT)
    throw new DecodeError(`frozen epoch record has an unknown format ${body[0]}`)
  const networkLength = view.getUint16(1)
  need(3, networkLength + 16)
  const network = utf8(body.subarray(3, 3 + networkLength))
  let at = 3 + networkLength
  const epoch = getU64(view, at)
  const cap = view.getUint32(at + 8)
  const m = view.getUint32(at + 12)
  at += 16
  if (m > (body.length - at) / (2 + ORIGIN_FIGURES))
    throw new DecodeError('frozen epoch record is truncated')
  const originAt = new Uint32Array(m)
  for (let i = 0; i < m; i++) {
    need(at, 2)
    const length = view.getUint16(at)
    need(at + 2, length + ORIGIN_FIGURES)
    originAt[i] = at
    at += 2 + length + ORIGIN_FIGURES
  }
  need(at, 4)
  const n = view.getUint32(at)
  at += 4
  if (n > (body.length - at) / ENTRY_HEAD) throw new DecodeError('frozen epoch record is truncated')
  const entryAt = new Uint32Array(n)
  const stored = new Uint32Array(m)
  const folded = new Uint32Array(m)
  let foldedTotal = 0
  for (let i = 0; i < n; i++) {
    need(at, ENTRY_HEAD)
    if (i > 0 && compareAt(body, entryAt[i - 1] as number, at) >= 0)
      throw new DecodeError('frozen epoch record ids are not in strictly ascending order')
    const origin = view.getUint32(at + 32)
    const flags = body[at + 36] as number
    if (origin >= m || flags > 1) throw new DecodeError('frozen epoch record entry is malformed')
    const length = view.getUint32(at + 37)
    need(at + ENTRY_HEAD, length)
    entryAt[i] = at
    stored[origin] = (stored[origin] as number) + 1
    if (flags === 1) {
      folded[origin] = (folded[origin] as number) + 1
      foldedTotal++
    }
    at += ENTRY_HEAD + length
  }
  if (at !== body.length) throw new DecodeError('frozen epoch record has trailing bytes')
  for (let i = 0; i < m; i++) {
    const o = readOrigin(view, body, originAt[i] as number)
    if (
      o.stored !== stored[i] ||
      o.folded !== folded[i] ||
      o.credited > o.folded ||
      !(o.credit >= 0 && Number.isFinite(o.credit)) ||
      !(o.bits >= 0 && Number.isFinite(o.bits)) ||
      !Number.isFinite(o.newestMs)
    )
      throw new DecodeError(`frozen epoch record origin ${i} does not match its entries`)
  }
  return { body, network, epoch, cap, originAt, entryAt, folded: foldedTotal }
}

/** Origin i's bytes (a view of the record) and figures, read from a decoded record. */
export function originOfRecord(record: FrozenRecordLayout, i: number): FrozenOrigin {
  const at = record.originAt[i]
  if (at === undefined)
    throw new RangeError(`no origin ${i} in the record of epoch ${record.epoch}`)
  const { body } = record
  return readOrigin(new DataView(body.buffer, body.byteOffset, body.byteLength), body, at)
}

function readOrigin(view: DataView, body: Uint8Array, at: number): FrozenOrigin {
  const length = view.getUint16(at)
  const f = at + 2 + length
  return {
    origin: body.subarray(at + 2, f),
    stored: view.getUint32(f),
    folded: view.getUint32(f + 4),
    credited: view.getUint32(f + 8),
    credit: view.getFloat64(f + 12),
    bits: view.getFloat64(f + 20),
    newestMs: view.getFloat64(f + 28),
  }
}

/** Index of the entry with this id (32 bytes) in a decoded record, or −1 (binary search). */
export function findEntry(record: FrozenRecordLayout, id: Uint8Array): number {
  const { body, entryAt } = record
  let lo = 0
  let hi = entryAt.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const c = compareIds(entryId(body, entryAt[mid] as number), id)
    if (c === 0) return mid
    if (c < 0) lo = mid + 1
    else hi = mid - 1
  }
  return -1
}

/** Entry fields at an offset given by FrozenRecordLayout.entryAt. */
export function entryId(body: Uint8Array, at: number): Uint8Array {
  return body.subarray(at, at + 32)
}

export function entryOrigin(body: Uint8Array, at: number): number {
  return readU32(body, at + 32)
}

export function entryFolded(body: Uint8Array, at: number): boolean {
  return body[at + 36] === 1
}

export function entryEncoded(body: Uint8Array, at: number): Uint8Array {
  const length = readU32(body, at + 37)
  return body.subarray(at + ENTRY_HEAD, at + ENTRY_HEAD + length)
}

function readU32(body: Uint8Array, at: number): number {
  return (
    (body[at] as number) * 0x100_0000 +
    (((body[at + 1] as number) << 16) | ((body[at + 2] as number) << 8) | (body[at + 3] as number))
  )
}

/** Compares the 32-byte ids at offsets a and b of body. */
function compareAt(body: Uint8Array, a: number, b: number): number {
  for (let i = 0; i < 32; i++) {
    const d = (body[a + i] as number) - (body[b + i] as number)
    if (d !== 0) return d
  }
  return 0
}

const decoder = new TextDecoder('utf-8', { fatal: true })

function utf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes)
  } catch {
    throw new DecodeError('frozen epoch record network is not UTF-8')
  }
}

function putU64(view: DataView, at: number, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidInputError(`epoch must be an integer in 0..2^53-1, got ${value}`)
  view.setUint32(at, Math.floor(value / 0x1_0000_0000))
  view.setUint32(at + 4, value >>> 0)
  return at + 8
}

function getU64(view: DataView, at: number): number {
  const value = view.getUint32(at) * 0x1_0000_0000 + view.getUint32(at + 4)
  if (!Number.isSafeInteger(value)) throw new DecodeError('frozen epoch record epoch is too large')
  return value
}
