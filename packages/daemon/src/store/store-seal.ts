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
/** a frozen epoch's record (frozen-records.ts): another version byte, another domain */
const RECORD_VERSION = 0x02
const MAC_BYTES = 32
export const SEAL_HEADER_BYTES = 2 + MAC_BYTES
const DOMAIN = 'alara/v1/store-seal'
const RECORD_DOMAIN = 'alara/v1/store-epoch'

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

  /**
   * The value to store for a frozen epoch's record: `0x00 0x02 ‖ MAC ‖ record`, MAC =
   * HMAC-SHA-256(store key, "alara/v1/store-epoch" ‖ u64 epoch ‖ record): one seal for
   * every contribution of the epoch, bound to the epoch its key names.
   */
  sealRecord(epoch: number, record: Uint8Array): Uint8Array {
    const out = new Uint8Array(SEAL_HEADER_BYTES + record.length)
    out[0] = TAG
    out[1] = RECORD_VERSION
    out.set(this.recordMac(epoch, record), 2)
    out.set(record, SEAL_HEADER_BYTES)
    return out
  }

  /** A stored record and whether its seal checks for this epoch (`record` empty: no header). */
  openRecord(epoch: number, value: Uint8Array): { record: Uint8Array; sealed: boolean } {
    if (value.length < SEAL_HEADER_BYTES || value[0] !== TAG || value[1] !== RECORD_VERSION)
      return { record: new Uint8Array(0), sealed: false }
    const record = value.subarray(SEAL_HEADER_BYTES)
    const sealed = timingSafeEqual(
      value.subarray(2, SEAL_HEADER_BYTES),
      this.recordMac(epoch, record),
    )
    return { record, sealed }
  }

  private recordMac(epoch: number, record: Uint8Array): Buffer {
    const at = Buffer.alloc(8)
    at.writeBigUInt64BE(BigInt(epoch))
    return createHmac('sha256', this.key).update(RECORD_DOMAIN).update(at).update(record).digest()
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

/** A frozen epoch's record in a stored value, its seal unchecked (getContribution). */
export function storedRecord(value: Uint8Array): Uint8Array | undefined {
  return value.length >= SEAL_HEADER_BYTES && value[0] === TAG && value[1] === RECORD_VERSION
    ? value.subarray(SEAL_HEADER_BYTES)
    : undefined
}

/** The encoded contribution of a stored value, sealed or not (the seal unchecked). */
export function storedContribution(value: Uint8Array): Uint8Array {
  return isSealed(value) ? value.subarray(SEAL_HEADER_BYTES) : value
}
