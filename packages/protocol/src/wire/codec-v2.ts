import type { Commit, RecoveryMessage, Reveal } from '../types.js'
import {
  type DecodeOptions,
  decodeMessage,
  decodeSigned,
  requireInput,
  u64FromWire,
  u64ToWire,
  wireBytes,
} from './codec-rules.js'
import * as wire from './wire.js'

/**
 * Version 2's messages (Commit, Reveal, Recovery) ⇄ the domain types, under version 1's
 * rules (codec-rules.ts): plain proto3 out, only that one canonical encoding accepted in,
 * DecodeError / NonCanonicalError for anything else. Decoding checks the wire only
 * (required fields, uint64 range): sizes of c, α, y, proof and the order of the withheld
 * origins are validation's (validate-v2.ts), which gives each its own reason.
 */

const SIGNED = ['network', 'origin', 'signature'] as const

export function encodeCommit(c: Commit): Uint8Array {
  requireInput(c, SIGNED, 'commit')
  return wire.Commit.encode({
    network: c.network,
    origin: wireBytes(c.origin),
    epoch: u64ToWire(c.epoch, 'epoch'),
    c: wireBytes(c.c),
    timestampMs: u64ToWire(c.timestampMs, 'timestampMs'),
    signature: wireBytes(c.signature),
  })
}

export function decodeCommit(bytes: Uint8Array, opts: DecodeOptions = {}): Commit {
  const m = decodeSigned(wire.Commit, bytes, opts, 'commit')
  return {
    network: m.network,
    origin: m.origin,
    epoch: u64FromWire(m.epoch, 'commit', 'epoch'),
    c: m.c,
    timestampMs: u64FromWire(m.timestampMs, 'commit', 'timestamp_ms'),
    signature: m.signature,
  }
}

export function encodeReveal(r: Reveal): Uint8Array {
  requireInput(r, SIGNED, 'reveal')
  return wire.Reveal.encode({
    network: r.network,
    origin: wireBytes(r.origin),
    epoch: u64ToWire(r.epoch, 'epoch'),
    alpha: wireBytes(r.alpha),
    signature: wireBytes(r.signature),
  })
}

export function decodeReveal(bytes: Uint8Array, opts: DecodeOptions = {}): Reveal {
  const m = decodeSigned(wire.Reveal, bytes, opts, 'reveal')
  return {
    network: m.network,
    origin: m.origin,
    epoch: u64FromWire(m.epoch, 'reveal', 'epoch'),
    alpha: m.alpha,
    signature: m.signature,
  }
}

/** A recovery carries no origin and no signature: only its network is required. */
export function encodeRecovery(r: RecoveryMessage): Uint8Array {
  requireInput(r, ['network'], 'recovery')
  return wire.Recovery.encode({
    network: r.network,
    epoch: u64ToWire(r.epoch, 'epoch'),
    commitsDigest: wireBytes(r.commitsDigest),
    withheld: r.withheld.map(wireBytes),
    y: wireBytes(r.y),
    proof: wireBytes(r.proof),
  })
}

export function decodeRecovery(bytes: Uint8Array, opts: DecodeOptions = {}): RecoveryMessage {
  const m = decodeMessage(wire.Recovery, bytes, opts, 'recovery')
  return {
    network: m.network,
    epoch: u64FromWire(m.epoch, 'recovery', 'epoch'),
    commitsDigest: m.commitsDigest,
    withheld: m.withheld,
    y: m.y,
    proof: m.proof,
  }
}
