import type { Contribution, Vote } from '../types.js'
import {
  type DecodeOptions,
  decodeSigned,
  requireInput,
  u32ToWire,
  u64FromWire,
  u64ToWire,
  wireBytes,
} from './codec-rules.js'
import { compactEvidence, expandEvidence } from './evidence.js'
import * as wire from './wire.js'

export type { DecodeOptions } from './codec-rules.js'

/**
 * Maps the protons messages of wire.proto to the domain types. Encoding is plain proto3
 * (fields in number order, zero/empty fields omitted) so it matches the reference vectors
 * byte for byte. Decoding accepts only that one canonical encoding (docs/PROTOCOL.md,
 * "Canonical encoding and message ids"): the gossip message id hashes the encoded bytes,
 * so a second accepted encoding of the same message (unknown field, duplicated or
 * reordered field, explicit zero, overlong varint) would be a second id for it. Every
 * failure is a DecodeError; a message that parses but is not canonical is its subclass
 * NonCanonicalError. A vote's evidence (field 11) is expanded and compacted by
 * evidence.ts, which keeps to the same one-encoding rule. Version 2's messages are in
 * codec-v2.ts.
 */

const SIGNED = ['network', 'origin', 'signature'] as const
const EMPTY = new Uint8Array(0)

export function encodeContribution(c: Contribution): Uint8Array {
  requireInput(c, SIGNED, 'contribution')
  return wire.Contribution.encode({
    network: c.network,
    origin: wireBytes(c.origin),
    seq: u64ToWire(c.seq, 'seq'),
    epoch: u64ToWire(c.epoch, 'epoch'),
    timestampMs: u64ToWire(c.timestampMs, 'timestampMs'),
    bitLength: u32ToWire(c.bitLength, 'bitLength'),
    bits: wireBytes(c.bits),
    signature: wireBytes(c.signature),
  })
}

export function decodeContribution(bytes: Uint8Array, opts: DecodeOptions = {}): Contribution {
  const m = decodeSigned(wire.Contribution, bytes, opts, 'contribution')
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

/**
 * A vote's commit-set fields (9 and 10) are written as given; whether they fit together
 * (32 bytes exactly when commit_count > 0) is the signer's and the validator's check.
 */
export function encodeVote(v: Vote): Uint8Array {
  requireInput(v, SIGNED, 'vote')
  return wire.Vote.encode({
    network: v.network,
    origin: wireBytes(v.origin),
    epoch: u64ToWire(v.epoch, 'epoch'),
    digest: wireBytes(v.digest),
    count: u32ToWire(v.count, 'count'),
    beacon: wireBytes(v.beacon),
    timestampMs: u64ToWire(v.timestampMs, 'timestampMs'),
    signature: wireBytes(v.signature),
    commitsDigest: wireBytes(v.commitsDigest ?? EMPTY),
    commitCount: u32ToWire(v.commitCount ?? 0, 'commitCount'),
    evidence: compactEvidence(v.evidence),
  })
}

/**
 * The vote without its evidence, encoded: what a voucher entry and a vote book hold. Its
 * commit-set fields stay: they are signed.
 */
export function encodeBareVote(v: Vote): Uint8Array {
  return encodeVote({ ...v, evidence: undefined })
}

export function decodeVote(bytes: Uint8Array, opts: DecodeOptions = {}): Vote {
  const m = decodeSigned(wire.Vote, bytes, opts, 'vote')
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
  // absent rather than empty, so a version-1 vote decodes to exactly what it was
  if (m.commitsDigest.length > 0) vote.commitsDigest = m.commitsDigest
  if (m.commitCount !== 0) vote.commitCount = m.commitCount
  const evidence = expandEvidence(m.evidence)
  if (evidence !== undefined) vote.evidence = evidence
  return vote
}
