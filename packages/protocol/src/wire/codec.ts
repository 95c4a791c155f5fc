import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { DecodeError, InvalidInputError, NonCanonicalError } from '../errors.js'
import type { Contribution, Vote } from '../types.js'
import { compactEvidence, expandEvidence } from './evidence.js'
import * as wire from './wire.js'

/**
 * Maps the protons messages of wire.proto to the domain types. Encoding is plain proto3
 * (fields in number order, zero/empty fields omitted) so it matches the reference vectors
 * byte for byte. Decoding accepts only that one canonical encoding (docs/PROTOCOL.md,
 * "Canonical encoding and message ids"): the gossip message id hashes the encoded bytes,
 * so a second accepted encoding of the same message (unknown field, duplicated or
 * reordered field, explicit zero, overlong varint) would be a second id for it. Every
 * failure is a DecodeError; a message that parses but is not canonical is its subclass
 * NonCanonicalError. A vote's evidence (field 11) is expanded and compacted by
 * evidence.ts, which keeps to the same one-encoding rule.
 */

export interface DecodeOptions {
  /** refuse input longer than this many bytes, before parsing it */
  maxBytes?: number
}

const MAX_U32 = 0xffff_ffff

export function encodeContribution(c: Contribution): Uint8Array {
  requireInput(c, 'contribution')
  return wire.Contribution.encode({
    network: c.network,
    origin: c.origin as Uint8Array<ArrayBuffer>,
    seq: u64ToWire(c.seq, 'seq'),
    epoch: u64ToWire(c.epoch, 'epoch'),
    timestampMs: u64ToWire(c.timestampMs, 'timestampMs'),
    bitLength: u32ToWire(c.bitLength, 'bitLength'),
    bits: c.bits as Uint8Array<ArrayBuffer>,
    signature: c.signature as Uint8Array<ArrayBuffer>,
  })
}

export function decodeContribution(bytes: Uint8Array, opts: DecodeOptions = {}): Contribution {
  checkSize(bytes, opts, 'contribution')
  const m = parse(() => wire.Contribution.decode(ownCopy(bytes)), 'contribution')
  requireCanonical(bytes, wire.Contribution.encode(m), 'contribution')
  requireField(m.network.length > 0, 'contribution', 'network')
  requireField(m.origin.length > 0, 'contribution', 'origin')
  requireField(m.signature.length > 0, 'contribution', 'signature')
  return {
    network: m.network,
    origin: m.origin,
    seq: u64FromWire(m.seq, 'contribution', 'seq'),
    epoch: u64FromWire(m.epoch, 'contribution', 'epoch'),
    timestampMs: u64FromWire(m.timestampMs, 'contribution', 'timestamp_ms'),
    bitLength: m.bitLength,
    bits: m.bits,
    signature: m.signature,
  }
}

export function encodeVote(v: Vote): Uint8Array {
  requireInput(v, 'vote')
  return wire.Vote.encode({
    network: v.network,
    origin: v.origin as Uint8Array<ArrayBuffer>,
    epoch: u64ToWire(v.epoch, 'epoch'),
    digest: v.digest as Uint8Array<ArrayBuffer>,
    count: u32ToWire(v.count, 'count'),
    beacon: v.beacon as Uint8Array<ArrayBuffer>,
    timestampMs: u64ToWire(v.timestampMs, 'timestampMs'),
    signature: v.signature as Uint8Array<ArrayBuffer>,
    evidence: compactEvidence(v.evidence),
  })
}

/** The vote without its evidence, encoded: what a voucher entry and a vote book hold. */
export function encodeBareVote(v: Vote): Uint8Array {
  return encodeVote({ ...v, evidence: undefined })
}

export function decodeVote(bytes: Uint8Array, opts: DecodeOptions = {}): Vote {
  checkSize(bytes, opts, 'vote')
  const m = parse(() => wire.Vote.decode(ownCopy(bytes)), 'vote')
  requireCanonical(bytes, wire.Vote.encode(m), 'vote')
  requireField(m.network.length > 0, 'vote', 'network')
  requireField(m.origin.length > 0, 'vote', 'origin')
  requireField(m.signature.length > 0, 'vote', 'signature')
  const vote: Vote = {
    network: m.network,
    origin: m.origin,
    epoch: u64FromWire(m.epoch, 'vote', 'epoch'),
    digest: m.digest,
    count: m.count,
    beacon: m.beacon,
    timestampMs: u64FromWire(m.timestampMs, 'vote', 'timestamp_ms'),
    signature: m.signature,
  }
  const evidence = expandEvidence(m.evidence)
  if (evidence !== undefined) vote.evidence = evidence
  return vote
}

/**
 * Re-encoding what was decoded gives the canonical bytes (protons writes fields in number
 * order, omits zero values, drops unknown fields, writes minimal varints and replaces
 * invalid UTF-8), so one comparison catches every other encoding of the same message.
 */
function requireCanonical(bytes: Uint8Array, canonical: Uint8Array, what: string): void {
  if (!uint8ArrayEquals(bytes, canonical))
    throw new NonCanonicalError(
      `${what} is not canonically encoded (${bytes.length} bytes, canonical ${canonical.length})`,
    )
}

/** What decode insists on, encode refuses to leave out: encoded bytes always decode. */
function requireInput(
  m: { network: string; origin: Uint8Array; signature: Uint8Array },
  what: string,
): void {
  for (const field of ['network', 'origin', 'signature'] as const)
    if (m[field].length === 0) throw new InvalidInputError(`${what} has no ${field}`)
}

function checkSize(bytes: Uint8Array, opts: DecodeOptions, what: string): void {
  if (opts.maxBytes !== undefined && bytes.length > opts.maxBytes)
    throw new DecodeError(`${what} is ${bytes.length} bytes, above the limit of ${opts.maxBytes}`)
}

function parse<T>(run: () => T, what: string): T {
  try {
    return run()
  } catch (err) {
    // protons-runtime throws RangeError/Error on truncated or malformed input
    throw new DecodeError(`${what} is not valid protobuf: ${(err as Error).message}`, {
      cause: err,
    })
  }
}

function requireField(present: boolean, what: string, field: string): void {
  if (!present) throw new DecodeError(`${what} has no ${field}`)
}

function u64FromWire(value: bigint, what: string, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw new DecodeError(`${what} ${field} ${value} is above 2^53 - 1`)
  return Number(value)
}

function u64ToWire(value: number, field: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidInputError(`${field} must be an integer in 0..2^53-1, got ${value}`)
  return BigInt(value)
}

function u32ToWire(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_U32)
    throw new InvalidInputError(`${field} must be an integer in 0..2^32-1, got ${value}`)
  return value
}

/**
 * The reader returns views into its input, and a transport may reuse its buffers: decode
 * from one private copy of the message (a single allocation, the fields are views of it).
 */
function ownCopy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes)
}
