import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'

/**
 * platform.ts for browsers (package.json `browser` maps it here in a bundle): the same
 * three functions over @noble/hashes, the audited pure-JS library libp2p's crypto already
 * depends on. WebCrypto's digest is asynchronous, which the group's constants (GID, g)
 * and HashPrime's loop cannot wait for.
 */

export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes)
}

export function toHex(bytes: Uint8Array): string {
  return bytesToHex(bytes)
}

export function fromHex(hex: string): Uint8Array {
  return hexToBytes(hex)
}
