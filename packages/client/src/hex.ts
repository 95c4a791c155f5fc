import { fromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'

/** Lowercase hex (uint8arrays: no Buffer, so it runs in browsers). */

const HEX = /^(?:[0-9a-f]{2})*$/

export function toHex(bytes: Uint8Array): string {
  return uint8ArrayToString(bytes, 'base16')
}

/** The bytes of lowercase hex; undefined for anything else (odd length, other characters). */
export function fromHex(hex: string): Uint8Array | undefined {
  return HEX.test(hex) ? fromString(hex, 'base16') : undefined
}
