import { Buffer } from 'node:buffer'
import { hash } from 'node:crypto'

/**
 * What the pure modules need of the platform, in Node: SHA-256 (synchronous) and hex.
 * A browser bundle gets platform-browser.ts instead (package.json `browser` maps one file
 * to the other), so the layouts, ids and the beacon's math above them run unchanged in
 * both; Node keeps its native hash, which the receive path runs on every message.
 */

/** SHA-256 of `bytes` as a plain Uint8Array. */
export function sha256(bytes: Uint8Array): Uint8Array {
  const digest = hash('sha256', bytes, 'buffer')
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength)
}

/** Lowercase hex, the form ids and origins take as map and store keys. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

/**
 * Lowercase or uppercase hex to bytes, a plain Uint8Array (toHex's inverse); callers check
 * the syntax first (schemas, ids this node made).
 */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'))
}
