import { InvalidInputError } from './errors.js'

/**
 * Bit strings travel packed: ceil(n/8) bytes, MSB first, unused low bits of the last
 * byte zero. Statistics work on unpacked arrays (one 0|1 per element), which keeps their
 * inner loops simple; a pool is at most a few Mbit, so the 8x memory is cheap.
 */

/** Packed length in bytes of `bitLength` bits. */
export function packedLength(bitLength: number): number {
  return Math.ceil(bitLength / 8)
}

/** True when `bits` holds exactly `bitLength` bits with zero padding. */
export function isWellPacked(bits: Uint8Array, bitLength: number): boolean {
  if (bits.length !== packedLength(bitLength)) return false
  const spare = bits.length * 8 - bitLength
  if (spare === 0) return true
  const last = bits[bits.length - 1] as number
  return (last & ((1 << spare) - 1)) === 0
}

/** Bit `i` (0 = most significant bit of the first byte). */
export function bitAt(bits: Uint8Array, i: number): number {
  return ((bits[i >> 3] as number) >> (7 - (i & 7))) & 1
}

/** Parses a string of '0' and '1' into packed bits. */
export function packBitString(text: string): { bits: Uint8Array; bitLength: number } {
  if (text.length === 0) throw new InvalidInputError('no bits given')
  const bits = new Uint8Array(packedLength(text.length))
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 49) bits[i >> 3] = (bits[i >> 3] as number) | (0x80 >> (i & 7))
    else if (c !== 48)
      throw new InvalidInputError(`bits must be 0 or 1: found '${text[i]}' at position ${i}`)
  }
  return { bits, bitLength: text.length }
}

/** Packed bits as a string of '0' and '1'. */
export function bitString(bits: Uint8Array, bitLength: number): string {
  let out = ''
  for (let i = 0; i < bitLength; i++) out += bitAt(bits, i) === 1 ? '1' : '0'
  return out
}

/** Packed bits as one 0|1 per element. */
export function unpackBits(bits: Uint8Array, bitLength: number): Uint8Array {
  const out = new Uint8Array(bitLength)
  for (let i = 0; i < bitLength; i++) out[i] = bitAt(bits, i)
  return out
}

/** One 0|1 per element, packed. */
export function packBits(unpacked: Uint8Array): Uint8Array {
  const out = new Uint8Array(packedLength(unpacked.length))
  for (let i = 0; i < unpacked.length; i++)
    if (unpacked[i] === 1) out[i >> 3] = (out[i >> 3] as number) | (0x80 >> (i & 7))
  return out
}
