import { createHmac, timingSafeEqual } from 'node:crypto'
import { fromHex } from '@alara/protocol'

/**
 * Sealed contributions in the store (docs/PROTOCOL.md, "Store seals"): each stored value is
 * `0x00 0x01 ‖ MAC ‖ encoded contribution`, MAC = HMAC-SHA-256(store key, domain ‖ id ‖
 * encoded) under the node's local store key (store-key.ts). Only this node, having checked
 * the Ed25519 signature, writes a seal, so on restart a value whose seal checks is
 * trusted without Ed25519 (a few µs instead of ~60 µs), and its id is the one in its key.
 *
 * A value without the header is an unsealed one of an older store (a protobuf
 * contribution starts with field 1's tag, 0x0A, never 0x00); it and a value whose seal
 * fails (a copied store, a new key, a changed byte) are verified by Ed25519 as before.
 */

const TAG = 0x00
const VERSION = 0x01
const MAC_BYTES = 32
export const SEAL_HEADER_BYTES = 2 + MAC_BYTES
const DOMAIN = 'alara/v1/store-seal'

export interface OpenedValue {
  /** the encoded contribution */
  encoded: Uint8Array
  /** its seal checked: this node verified it */
  sealed: boolean
}

/** Seals and opens stored values under one store key. */
export class StoreSealer {
  private readonly key: Uint8Array

  constructor(key: Uint8Array) {
    if (key.length < 32) throw new RangeError('a store key has at least 32 bytes')
    this.key = key.slice()
  }

  /** The value to store for a verified contribution with this id (hex). */
  seal(idHex: string, encoded: Uint8Array): Uint8Array {
    const mac = this.mac(idHex, encoded)
    if (mac === undefined) throw new RangeError(`not a 32-byte id: ${idHex}`)
    const out = new Uint8Array(SEAL_HEADER_BYTES + encoded.length)
    out[0] = TAG
    out[1] = VERSION
    out.set(mac, 2)
    out.set(encoded, SEAL_HEADER_BYTES)
    return out
  }

  /** A stored value's contribution, and whether its seal checks for this id (hex). */
  open(idHex: string, value: Uint8Array): OpenedValue {
    if (!isSealed(value)) return { encoded: value, sealed: false }
    const encoded = value.subarray(SEAL_HEADER_BYTES)
    const mac = this.mac(idHex, encoded)
    const sealed = mac !== undefined && timingSafeEqual(value.subarray(2, SEAL_HEADER_BYTES), mac)
    return { encoded, sealed }
  }

  /** undefined when idHex is not 64 hex digits */
  private mac(idHex: string, encoded: Uint8Array): Buffer | undefined {
    const id = fromHex(idHex)
    if (idHex.length !== 2 * MAC_BYTES || id.length !== MAC_BYTES) return undefined
    return createHmac('sha256', this.key).update(DOMAIN).update(id).update(encoded).digest()
  }
}

function isSealed(value: Uint8Array): boolean {
  return value.length > SEAL_HEADER_BYTES && value[0] === TAG && value[1] === VERSION
}

/** The encoded contribution of a stored value, sealed or not (the seal unchecked). */
export function storedContribution(value: Uint8Array): Uint8Array {
  return isSealed(value) ? value.subarray(SEAL_HEADER_BYTES) : value
}
