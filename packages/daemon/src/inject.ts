import { randomBytes } from 'node:crypto'
import { healthTest, InvalidInputError, packBitString } from '@alara/protocol'
import type { InjectRequest } from './api/types.js'
import { BadRequestError } from './errors.js'
import { hexToBytes } from './hex.js'

/**
 * What `inject` does before anything is signed: read the one source of entropy, cut it
 * into contributions of at most maxBits, and refuse bits that every peer would reject
 * (the SP 800-90B health tests are network validity, not local policy).
 */

export type Bits = { bits: Uint8Array; bitLength: number }

export function parseInjectInput(input: InjectRequest): { bits: Uint8Array; bitLength: number } {
  const given = (['bits', 'hex', 'random'] as const).filter((k) => k in input)
  if (given.length !== 1) throw new BadRequestError('give exactly one of bits, hex or random')
  if ('bits' in input) return packBitString(input.bits)
  if ('hex' in input) {
    if (!/^([0-9a-fA-F]{2})+$/.test(input.hex))
      throw new InvalidInputError('hex must be a non-empty, even number of hex digits')
    const bits = hexToBytes(input.hex)
    return { bits, bitLength: bits.length * 8 }
  }
  const n = input.random
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidInputError(`random takes a positive number of bits, got ${n}`)
  const bits = new Uint8Array(randomBytes(Math.ceil(n / 8)))
  const spare = bits.length * 8 - n
  if (spare > 0)
    bits[bits.length - 1] = (bits[bits.length - 1] as number) & ((0xff << spare) & 0xff)
  return { bits, bitLength: n }
}

/** Cuts packed bits into pieces of at most `maxBits` bits (each re-packed from bit 0). */
export function splitBits(
  bits: Uint8Array,
  bitLength: number,
  maxBits: number,
): Array<{ bits: Uint8Array; bitLength: number }> {
  if (!Number.isSafeInteger(maxBits) || maxBits < 1)
    throw new InvalidInputError(`maxBits must be a positive integer, got ${maxBits}`)
  const out: Array<{ bits: Uint8Array; bitLength: number }> = []
  for (let start = 0; start < bitLength; start += maxBits) {
    const n = Math.min(maxBits, bitLength - start)
    const piece = new Uint8Array(Math.ceil(n / 8))
    for (let i = 0; i < n; i++) {
      const src = start + i
      if ((((bits[src >> 3] as number) >> (7 - (src & 7))) & 1) === 1)
        piece[i >> 3] = (piece[i >> 3] as number) | (0x80 >> (i & 7))
    }
    out.push({ bits: piece, bitLength: n })
  }
  return out
}

/** Throws ERR_INVALID_INPUT, naming the test and the piece, when any piece would be rejected. */
export function assertHealthy(pieces: Bits[]): void {
  for (const [i, p] of pieces.entries()) {
    const health = healthTest(p.bits, p.bitLength)
    const where = pieces.length > 1 ? ` (piece ${i + 1} of ${pieces.length})` : ''
    if (health.rct === 'fail')
      throw new InvalidInputError(
        `these bits fail the SP 800-90B repetition count test${where}: a run of ${health.longestRun} identical bits (41 or more); peers would reject them, nothing was published`,
      )
    if (health.apt === 'fail')
      throw new InvalidInputError(
        `these bits fail the SP 800-90B adaptive proportion test${where} (625 or more of 1024 bits alike); peers would reject them, nothing was published`,
      )
  }
}
