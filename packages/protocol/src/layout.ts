import { InvalidInputError } from './errors.js'

/**
 * The fixed byte layouts (docs/PROTOCOL.md, "Wire format"): signing bytes, epoch digest,
 * beacon, draw info. Big-endian integers, `str` = u16 length + UTF-8, `b` = u32 length +
 * bytes, domain strings ending in 0x00. One writer for all of them, sizes computed up front.
 */

const TWO_32 = 0x1_0000_0000
const utf8 = new TextEncoder()

/** `name` 0x00: the domain separator that opens every layout. */
export function domain(name: string): Uint8Array {
  const text = utf8.encode(name)
  const out = new Uint8Array(text.length + 1)
  out.set(text)
  return out
}

/** UTF-8 of a `str` field, refused above the u16 length prefix. */
export function strBytes(text: string, what = 'network name'): Uint8Array {
  const bytes = utf8.encode(text)
  if (bytes.length > 0xffff)
    throw new InvalidInputError(
      `${what} is ${bytes.length} bytes of UTF-8, above 65535 (a u16 length prefix)`,
    )
  return bytes
}

export function assertU64(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidInputError(`${what} must be an integer in 0..2^53-1, got ${value}`)
}

export class LayoutWriter {
  readonly bytes: Uint8Array
  private readonly view: DataView
  private pos = 0

  constructor(size: number) {
    this.bytes = new Uint8Array(size)
    this.view = new DataView(this.bytes.buffer)
  }

  raw(data: Uint8Array): this {
    this.bytes.set(data, this.pos)
    this.pos += data.length
    return this
  }

  /** `str`: u16 length + the bytes from strBytes() */
  str(bytes: Uint8Array): this {
    this.view.setUint16(this.pos, bytes.length)
    this.pos += 2
    return this.raw(bytes)
  }

  u32(value: number, field: string): this {
    if (!Number.isInteger(value) || value < 0 || value >= TWO_32)
      throw new InvalidInputError(`${field} must be an integer in 0..2^32-1, got ${value}`)
    this.view.setUint32(this.pos, value)
    this.pos += 4
    return this
  }

  u64(value: number, field: string): this {
    assertU64(value, field)
    this.view.setUint32(this.pos, Math.floor(value / TWO_32))
    this.view.setUint32(this.pos + 4, value >>> 0)
    this.pos += 8
    return this
  }

  /** `b`: u32 length + bytes */
  b(data: Uint8Array): this {
    return this.u32(data.length, 'length').raw(data)
  }
}
