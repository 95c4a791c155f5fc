import { InvalidInputError } from '../errors.js'

/**
 * Statistics take unpacked bits: a Uint8Array holding one 0 or 1 per element (see
 * bits.ts unpackBits). Anything else is a caller's bug, reported as InvalidInputError.
 */

/** Counts the ones, checking that every element is 0 or 1. */
export function countOnesUnpacked(bits: Uint8Array): number {
  if (!(bits instanceof Uint8Array))
    throw new InvalidInputError('bits must be a Uint8Array of 0 and 1 (unpacked)')
  let ones = 0
  for (let i = 0; i < bits.length; i++) {
    const bit = bits[i] as number
    if (bit > 1) throw new InvalidInputError(`bits must be 0 or 1: found ${bit} at position ${i}`)
    ones += bit
  }
  return ones
}

/** Checks unpacked bits and that there are at least `min` of them; returns the ones. */
export function checkUnpacked(bits: Uint8Array, min: number, what: string): number {
  const ones = countOnesUnpacked(bits)
  if (bits.length < min)
    throw new InvalidInputError(`${what} needs at least ${min} bits, got ${bits.length}`)
  return ones
}

/** Checks an integer parameter against an inclusive range. */
export function checkIntegerParam(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new InvalidInputError(`${name} must be an integer in ${min}..${max}, got ${value}`)
}
