import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { bitString, packBitString } from '../bits.js'
import { resolveParams } from '../config.js'
import type { TrustLevel } from '../consensus.js'
import { toHex } from '../signing.js'
import type { VerifiedContribution } from '../types.js'
import { Replica } from './index.js'

/** Contributions, replicas and reference vectors shared by the replica's unit tests. */

export interface Vectors {
  network: string
  epochMs: number
  key: { origin: string }
  contributions: Array<{
    seq: number
    timestamp: number
    bits: string
    bitLength: number
    epoch: number
    id: string
    signature: string
  }>
  epoch: { epoch: number; ids: string[]; digest: string; beacon: string }
  poolBits: string
}

export const vectors = JSON.parse(
  readFileSync(new URL('../../../../test/vectors/v1.json', import.meta.url), 'utf8'),
) as Vectors
export const fromHex = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'))

export const NETWORK = 'unit'
export const SELF = 'ee'.repeat(38)
export const A = 'a1'.repeat(38)
export const B = 'b2'.repeat(38)
export const params = resolveParams({ network: NETWORK, poolBits: 10_000 })

let serial = 0
/** A contribution as the caller hands it over after verification (id = any 32 bytes). */
export function contribution(
  originHex: string,
  epoch: number,
  bitText: string,
  id: Uint8Array = createHash('sha256').update(`c${serial++}`).digest(),
): VerifiedContribution {
  const { bits, bitLength } = packBitString(bitText)
  return {
    id: Uint8Array.from(id),
    idHex: toHex(id),
    originHex,
    contribution: {
      network: NETWORK,
      origin: fromHex(originHex),
      seq: serial,
      epoch,
      timestampMs: epoch * params.epochMs + 1,
      bitLength,
      bits,
      signature: new Uint8Array(64),
    },
  }
}

export function replica(levels: Record<string, TrustLevel> = {}, overrides = {}): Replica {
  return new Replica({
    params: { ...params, ...overrides },
    selfHex: SELF,
    trustOf: (o) => levels[o],
  })
}

/** Adds every item; what a restart or a sync batch does. */
export function addAll(r: Replica, items: VerifiedContribution[]): void {
  for (const v of items) r.add(v)
}

/** 256 pseudo-random bits as a bit string. */
export const bits256 = (seed: string) =>
  bitString(createHash('sha512').update(seed).digest().subarray(0, 32), 256)

export const sha256Hex = (...parts: Uint8Array[]) => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest('hex')
}
