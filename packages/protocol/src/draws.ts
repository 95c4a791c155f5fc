import { hkdfSync } from 'node:crypto'
import { READY_CREDIT_BITS } from './config.js'
import { AlaraError, InvalidInputError } from './errors.js'
import { assertU64, domain, LayoutWriter, strBytes } from './layout.js'

/**
 * Random draws (docs/PROTOCOL.md, "Draws"). Both are HKDF-SHA256
 * (RFC 5869) with these exact layouts (big-endian integers, `str` = u16 length + UTF-8):
 *
 * private draw, for key material:
 *   ikm    = pool state (32 bytes) | OS random (32 bytes)
 *   salt   = "alara/v1/private-draw" 0x00
 *   info_j = str network | u64 draw counter | u32 j
 * shared draw, identical on every node that agrees on beacon(r):
 *   ikm    = beacon(r) (32 bytes)
 *   salt   = "alara/v1/shared-draw" 0x00
 *   info_j = str network | u64 r | u32 j
 *
 * Output = OKM_0 | OKM_1 | … truncated to N bytes, OKM_j = HKDF(ikm, salt, info_j) of
 * 8160 bytes (255 × 32, HKDF-SHA256's ceiling), the last one only as long as needed. The
 * chunk index (u32) lets one draw exceed that ceiling: a stream of up to 2^32 × 8160 bytes.
 * N is not in the info, so a shorter draw is a prefix of a longer one with the same
 * inputs: a shared draw of epoch r is one stream everybody reads from the start, and a
 * caller reads any length of it in pieces (`offset`), each at most MAX_DRAW_BYTES, which
 * bounds one call's memory, not the stream.
 *
 * The private draw is never weaker than either source: HKDF of a key that contains 32
 * uniform OS bytes is uniform even if the pool state is known, and the pool state keeps it
 * unpredictable if the OS generator were weak. The counter separates draws that would
 * otherwise share both inputs.
 */

export const MIN_DRAW_BYTES = 1
/** Bytes of one call (1 MiB): a longer output is asked for in pieces. */
export const MAX_DRAW_BYTES = 1_048_576
/** Bytes of HKDF output per chunk index j. */
export const DRAW_CHUNK_BYTES = 255 * 32
/** Bytes the caller hands in from the OS CSPRNG for each private draw. */
export const OS_RANDOM_BYTES = 32

const PRIVATE_SALT = domain('alara/v1/private-draw')
const SHARED_SALT = domain('alara/v1/shared-draw')

/** A private draw asked before credited entropy reached READY_CREDIT_BITS. */
export class NotReadyError extends AlaraError {
  readonly creditBits: number

  constructor(creditBits: number) {
    super(
      'ERR_NOT_READY',
      `not enough entropy yet for a private draw: ${formatBits(creditBits)} of ${READY_CREDIT_BITS} credited bits; allow low entropy to draw anyway`,
    )
    this.name = 'NotReadyError'
    this.creditBits = creditBits
  }
}

export interface PrivateDrawInput {
  network: string
  /** the replica's SHA-256 chain over folded ids (32 bytes) */
  poolState: Uint8Array
  /** 32 fresh bytes from the OS CSPRNG, drawn by the caller for this draw only */
  osRandom: Uint8Array
  /** draw counter (u64), different for every draw from the same pool state */
  counter: number
  /** bytes wanted, 1..MAX_DRAW_BYTES */
  length: number
  /** credited entropy of the replica */
  creditBits: number
  /** draw even when creditBits < READY_CREDIT_BITS */
  allowLowEntropy?: boolean
}

/** Throws InvalidInputError unless `length` is an integer in 1..MAX_DRAW_BYTES. */
export function assertDrawLength(length: number): void {
  if (!Number.isInteger(length) || length < MIN_DRAW_BYTES || length > MAX_DRAW_BYTES)
    throw new InvalidInputError(
      `draw length must be an integer from ${MIN_DRAW_BYTES} to ${MAX_DRAW_BYTES} bytes, got ${length}`,
    )
}

/** Private draw; throws NotReadyError (ERR_NOT_READY) before ready unless allowed. */
export function privateDraw(input: PrivateDrawInput): Uint8Array {
  assertDrawLength(input.length)
  assertBytes(input.poolState, 32, 'pool state')
  assertBytes(input.osRandom, OS_RANDOM_BYTES, 'OS random input')
  assertU64(input.counter, 'draw counter')
  if (!(input.creditBits >= READY_CREDIT_BITS) && input.allowLowEntropy !== true)
    throw new NotReadyError(input.creditBits)
  const ikm = new Uint8Array(64)
  ikm.set(input.poolState)
  ikm.set(input.osRandom, 32)
  return expand(ikm, PRIVATE_SALT, input.network, input.counter, input.length)
}

/**
 * Shared draw of epoch r: bytes [offset, offset + length) of the stream expanded from
 * beacon(r), the same on every node.
 */
export function sharedDraw(
  beacon: Uint8Array,
  epoch: number,
  network: string,
  length: number,
  offset = 0,
): Uint8Array {
  assertDrawLength(length)
  assertBytes(beacon, 32, 'beacon')
  assertU64(epoch, 'epoch')
  assertU64(offset, 'offset')
  if (Math.floor((offset + length - 1) / DRAW_CHUNK_BYTES) > 0xffff_ffff)
    throw new InvalidInputError('a shared draw ends at 2^32 chunks of 8160 bytes')
  return expand(beacon, SHARED_SALT, network, epoch, length, offset)
}

function expand(
  ikm: Uint8Array,
  salt: Uint8Array,
  network: string,
  n: number,
  length: number,
  offset = 0,
): Uint8Array {
  const name = strBytes(network)
  const out = new Uint8Array(length)
  const end = offset + length
  // chunk j covers stream bytes [j × 8160, (j + 1) × 8160); only the needed part is kept
  for (let j = Math.floor(offset / DRAW_CHUNK_BYTES); j * DRAW_CHUNK_BYTES < end; j++) {
    const start = j * DRAW_CHUNK_BYTES
    // str network | u64 n | u32 chunk
    const info = new LayoutWriter(2 + name.length + 8 + 4)
      .str(name)
      .u64(n, 'n')
      .u32(j, 'chunk').bytes
    const size = Math.min(DRAW_CHUNK_BYTES, end - start)
    const okm = new Uint8Array(hkdfSync('sha256', ikm, salt, info, size))
    const from = Math.max(offset, start)
    out.set(okm.subarray(from - start), from - offset)
  }
  return out
}

function assertBytes(bytes: Uint8Array, length: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length)
    throw new InvalidInputError(`${what} must be ${length} bytes, got ${bytes?.length}`)
}

function formatBits(bits: number): string {
  return Number.isFinite(bits) ? bits.toFixed(1) : String(bits)
}
