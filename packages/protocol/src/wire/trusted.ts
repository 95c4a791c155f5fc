import { DecodeError } from '../errors.js'
import type { Contribution } from '../types.js'

/**
 * A fast reader for contribution bytes that were already decoded and checked once by
 * decodeContribution (a node's own store, a kept copy): one pass over the fields, the
 * byte fields as views of `bytes` (no copy), no canonical re-encoding. It still refuses
 * malformed input (truncated, unknown field, wrong wire type, varint beyond 2^53) with a
 * DecodeError, but input from the network goes through decodeContribution.
 * Why not protons' own decode: its uint64 fields come as BigInt, and a decode took ~6 µs
 * against ~1 µs here (Node 22, 177-byte contributions): 5 s of a 1M-entry reload.
 */
export function readTrustedContribution(bytes: Uint8Array): Contribution {
  const r = { at: 0 }
  const c: Contribution = {
    network: '',
    origin: EMPTY,
    seq: 0,
    epoch: 0,
    timestampMs: 0,
    bitLength: 0,
    bits: EMPTY,
    signature: EMPTY,
  }
  while (r.at < bytes.length) {
    const tag = varint(bytes, r)
    const field = Math.floor(tag / 8)
    const wireType = tag & 7
    if (wireType !== (VARINT_FIELDS.has(field) ? 0 : 2) || field < 1 || field > 8)
      throw new DecodeError(`contribution has an unexpected field ${field} (wire type ${wireType})`)
    if (wireType === 0) {
      const value = varint(bytes, r)
      if (field === 3) c.seq = value
      else if (field === 4) c.epoch = value
      else if (field === 5) c.timestampMs = value
      else c.bitLength = value
      continue
    }
    const length = varint(bytes, r)
    const end = r.at + length
    if (end > bytes.length) throw new DecodeError('contribution is truncated')
    const view = bytes.subarray(r.at, end)
    r.at = end
    if (field === 1) c.network = networkName(view)
    else if (field === 2) c.origin = view
    else if (field === 7) c.bits = view
    else c.signature = view
  }
  if (c.network === '' || c.origin.length === 0 || c.signature.length === 0)
    throw new DecodeError('contribution lacks its network, origin or signature')
  return c
}

const EMPTY = new Uint8Array(0)
const VARINT_FIELDS = new Set([3, 4, 5, 6])

/** The last network name read: a node reads one network's contributions, so one string. */
let lastNetwork: { bytes: Uint8Array; name: string } | undefined
const utf8 = new TextDecoder('utf-8', { fatal: true })

function networkName(view: Uint8Array): string {
  const last = lastNetwork
  if (last !== undefined && sameBytes(last.bytes, view)) return last.name
  let name: string
  try {
    name = utf8.decode(view)
  } catch {
    throw new DecodeError('contribution network is not UTF-8')
  }
  lastNetwork = { bytes: view.slice(), name }
  return name
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** A protobuf varint as an exact number (at most 2^53 - 1). */
function varint(bytes: Uint8Array, r: { at: number }): number {
  let value = 0
  let scale = 1
  for (let i = 0; i < 8; i++) {
    if (r.at >= bytes.length) throw new DecodeError('contribution is truncated')
    const b = bytes[r.at++] as number
    value += (b & 0x7f) * scale
    if ((b & 0x80) === 0) {
      if (!Number.isSafeInteger(value)) break
      return value
    }
    scale *= 128
  }
  throw new DecodeError('contribution has a varint above 2^53 - 1')
}
