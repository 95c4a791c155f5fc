import { InvalidInputError } from '../errors.js'
import { domain } from '../layout.js'
import { fromHex as hexToBytes, toHex } from '../platform.js'

/**
 * Integers ⇄ big-endian bytes (RFC 8017's OS2IP / I2OSP) and the version-2 domain
 * separator. Through hex, which V8 converts in linear time for a power-of-two radix.
 */

/** The big-endian unsigned integer of `bytes` (0 for no bytes). */
export function os2ip(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`)
}

/** `x` as exactly `length` bytes big-endian; refused when negative or too large. */
export function i2osp(x: bigint, length: number): Uint8Array {
  if (x < 0n) throw new InvalidInputError(`cannot encode the negative integer ${x}`)
  const hex = x.toString(16)
  if (hex.length > 2 * length)
    throw new InvalidInputError(`integer of ${hex.length * 4} bits does not fit in ${length} bytes`)
  return fromHex(hex.padStart(2 * length, '0'))
}

/** Lowercase or uppercase hex to bytes; refuses odd lengths and non-hex characters. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex))
    throw new InvalidInputError('not an even-length hex string')
  return hexToBytes(hex)
}

/** DST(s) = ASCII "alara/v2/" ‖ s ‖ 0x00: opens every hash and signature of version 2. */
export function dst(s: string): Uint8Array {
  return domain(`alara/v2/${s}`)
}

/** Concatenation of byte strings (hash inputs assembled from fixed parts). */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let size = 0
  for (const part of parts) size += part.length
  const out = new Uint8Array(size)
  let pos = 0
  for (const part of parts) {
    out.set(part, pos)
    pos += part.length
  }
  return out
}
