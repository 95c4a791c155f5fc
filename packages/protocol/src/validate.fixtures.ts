import { createHash } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { type ProtocolParams, resolveParams } from './config.js'
import { originOf, signContribution, toHex } from './signing.js'
import type { Contribution, UnsignedContribution, UnsignedVote } from './types.js'
import type { ValidationContext } from './validate.js'
import { encodeContribution } from './wire/codec.js'

/** The key, clock and messages shared by the contribution and vote validation tests. */

export const params: ProtocolParams = resolveParams({ network: 'testnet' })
export const key = await generateKeyPair('Ed25519')
export const origin = originOf(peerIdFromPrivateKey(key))
export const originHex = toHex(origin)

export const nowMs = 1_764_201_602_500
export const epoch = Math.floor(nowMs / params.epochMs)

/** Deterministic bits that pass the health tests (SHA-256 counter stream). */
export function healthyBits(bitLength: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(bitLength / 8))
  for (let i = 0; i * 32 < out.length; i++)
    out.set(
      createHash('sha256')
        .update(`bits ${i}`)
        .digest()
        .subarray(0, Math.min(32, out.length - i * 32)),
      i * 32,
    )
  if (bitLength % 8 !== 0)
    out[out.length - 1] = (out[out.length - 1] as number) & (0xff << (8 - (bitLength % 8)))
  return out
}

export function unsigned(patch: Partial<UnsignedContribution> = {}): UnsignedContribution {
  const timestampMs = patch.timestampMs ?? nowMs - 1000
  return {
    network: params.network,
    origin,
    seq: 1,
    epoch: Math.floor(timestampMs / params.epochMs),
    timestampMs,
    bitLength: 256,
    bits: healthyBits(256),
    ...patch,
  }
}

/** A vote of the epoch before the fixtures' clock, unsigned (sign with `key`). */
export function unsignedVote(patch: Partial<UnsignedVote> = {}): UnsignedVote {
  return {
    network: params.network,
    origin,
    epoch: epoch - 1,
    digest: new Uint8Array(32).fill(1),
    count: 3,
    beacon: new Uint8Array(32).fill(2),
    timestampMs: nowMs - 100,
    ...patch,
  }
}

export async function signed(patch: Partial<UnsignedContribution> = {}): Promise<Contribution> {
  return signContribution(key, unsigned(patch))
}

export async function encoded(patch: Partial<UnsignedContribution> = {}): Promise<Uint8Array> {
  return encodeContribution(await signed(patch))
}

export function context(patch: Partial<ValidationContext> = {}): ValidationContext {
  return {
    params,
    nowMs,
    seen: () => false,
    countFor: () => 0,
    isClosed: () => false,
    isFinal: () => false,
    ...patch,
  }
}
