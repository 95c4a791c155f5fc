import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { DecodeError, InvalidInputError, NonCanonicalError } from '../errors.js'

/**
 * The rules every wire message's codec keeps (docs/PROTOCOL.md, "Canonical encoding and
 * message ids"), shared by version 1's codec (codec.ts) and version 2's (codec-v2.ts):
 * one accepted encoding, typed errors only, uint64 fields range-checked into JS numbers.
 */

export interface DecodeOptions {
  /** refuse input longer than this many bytes, before parsing it */
  maxBytes?: number
}

const MAX_U32 = 0xffff_ffff

/**
 * Re-encoding what was decoded gives the canonical bytes (protons writes fields in number
 * order, omits zero values, drops unknown fields, writes minimal varints and replaces
 * invalid UTF-8), so one comparison catches every other encoding of the same message.
 */
export function requireCanonical(bytes: Uint8Array, canonical: Uint8Array, what: string): void {
  if (!uint8ArrayEquals(bytes, canonical))
    throw new NonCanonicalError(
      `${what} is not canonically encoded (${bytes.length} bytes, canonical ${canonical.length})`,
    )
}

/** What decode insists on, encode refuses to leave out: encoded bytes always decode. */
export function requireInput<F extends string>(
  m: Record<F, string | Uint8Array>,
  fields: readonly F[],
  what: string,
): void {
  for (const field of fields)
    if (m[field].length === 0) throw new InvalidInputError(`${what} has no ${field}`)
}

export function checkSize(bytes: Uint8Array, opts: DecodeOptions, what: string): void {
  if (opts.maxBytes !== undefined && bytes.length > opts.maxBytes)
    throw new DecodeError(`${what} is ${bytes.length} bytes, above the limit of ${opts.maxBytes}`)
}

/**
 * Parses a private copy of `bytes`: the reader returns views into its input, and a
 * transport may reuse its buffers (a single allocation, the fields are views of it).
 */
export function parse<T>(decode: (bytes: Uint8Array) => T, bytes: Uint8Array, what: string): T {
  try {
    return decode(new Uint8Array(bytes))
  } catch (err) {
    // protons-runtime throws RangeError/Error on truncated or malformed input
    throw new DecodeError(`${what} is not valid protobuf: ${(err as Error).message}`, {
      cause: err,
    })
  }
}

/** A protons message codec (the generated wire.ts exposes one per message). */
export interface MessageCodec<M> {
  decode(bytes: Uint8Array): M
  // the message type comes from decode: encode takes it (protons' takes a Partial of it)
  encode(m: NoInfer<M>): Uint8Array
}

/**
 * The steps every decoder takes: the size bound, a private parse, the one canonical
 * encoding, and a network. A signed message (origin and signature present) says so.
 */
export function decodeMessage<M extends { network: string }>(
  codec: MessageCodec<M>,
  bytes: Uint8Array,
  opts: DecodeOptions,
  what: string,
): M {
  checkSize(bytes, opts, what)
  const m = parse(codec.decode, bytes, what)
  requireCanonical(bytes, codec.encode(m), what)
  requireField(m.network.length > 0, what, 'network')
  return m
}

export function decodeSigned<
  M extends { network: string; origin: Uint8Array; signature: Uint8Array },
>(codec: MessageCodec<M>, bytes: Uint8Array, opts: DecodeOptions, what: string): M {
  const m = decodeMessage(codec, bytes, opts, what)
  requireField(m.origin.length > 0, what, 'origin')
  requireField(m.signature.length > 0, what, 'signature')
  return m
}

export function requireField(present: boolean, what: string, field: string): void {
  if (!present) throw new DecodeError(`${what} has no ${field}`)
}

export function u64FromWire(value: bigint, what: string, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw new DecodeError(`${what} ${field} ${value} is above 2^53 - 1`)
  return Number(value)
}

export function u64ToWire(value: number, field: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidInputError(`${field} must be an integer in 0..2^53-1, got ${value}`)
  return BigInt(value)
}

export function u32ToWire(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_U32)
    throw new InvalidInputError(`${field} must be an integer in 0..2^32-1, got ${value}`)
  return value
}

/** protons' bytes fields are typed over ArrayBuffer; ours are plain Uint8Array. */
export function wireBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>
}
