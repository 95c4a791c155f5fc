import { packedLength } from './bits.js'
import { HEALTH_CUTOFFS } from './config.js'
import { InvalidInputError } from './errors.js'

/**
 * SP 800-90B health tests and the most-common-value min-entropy estimate, on packed bits
 * (MSB first). healthTest runs on every received contribution, so it works byte by byte
 * with lookup tables instead of unpacking.
 */

export interface HealthResult {
  /** repetition count test (§4.4.1): fails when a run of identical bits reaches the cutoff */
  rct: 'pass' | 'fail'
  /** adaptive proportion test (§4.4.2) over whole windows; a shorter tail is not tested */
  apt: 'pass' | 'fail'
  /** longest run of identical bits (0 for no bits) */
  longestRun: number
}

/** Upper bound of the 99 % confidence interval in SP 800-90B §6.3.1 (Z_(1-0.005)). */
const MCV_Z = 2.5758293035489008

/** Set bits in each byte value. */
const POPCOUNT = new Uint8Array(256)
/** Length of the run that starts at the most significant bit. */
const LEAD_RUN = new Uint8Array(256)
/** Length of the run that ends at the least significant bit. */
const TRAIL_RUN = new Uint8Array(256)
/** Longest run anywhere inside the byte. */
const INNER_RUN = new Uint8Array(256)

for (let b = 0; b < 256; b++) {
  let ones = 0
  let run = 0
  let longest = 0
  let lead = 0
  let prev = -1
  for (let i = 7; i >= 0; i--) {
    const bit = (b >> i) & 1
    ones += bit
    run = bit === prev ? run + 1 : 1
    prev = bit
    if (run > longest) longest = run
    if (run === 8 - i) lead = run
  }
  POPCOUNT[b] = ones
  LEAD_RUN[b] = lead
  TRAIL_RUN[b] = run
  INNER_RUN[b] = longest
}

function checkPacked(bits: Uint8Array, bitLength: number): void {
  if (!Number.isSafeInteger(bitLength) || bitLength < 0)
    throw new InvalidInputError(`bitLength must be a non-negative integer, got ${bitLength}`)
  if (bits.length < packedLength(bitLength))
    throw new InvalidInputError(
      `${bitLength} bits need ${packedLength(bitLength)} bytes, got ${bits.length}`,
    )
}

/** Ones among bits [start, end) of packed bits; callers guarantee the range is in bounds. */
function onesInRange(bits: Uint8Array, start: number, end: number): number {
  if (end <= start) return 0
  const first = start >> 3
  const last = (end - 1) >> 3
  // Masks keep only the bits of the range in the first and last byte.
  const headMask = 0xff >> (start & 7)
  const tailMask = (0xff << (7 - ((end - 1) & 7))) & 0xff
  if (first === last) return POPCOUNT[(bits[first] as number) & headMask & tailMask] as number
  let ones = POPCOUNT[(bits[first] as number) & headMask] as number
  for (let i = first + 1; i < last; i++) ones += POPCOUNT[bits[i] as number] as number
  return ones + (POPCOUNT[(bits[last] as number) & tailMask] as number)
}

/** Number of ones among the first `bitLength` packed bits (later bits are ignored). */
export function countOnesPacked(bits: Uint8Array, bitLength: number): number {
  checkPacked(bits, bitLength)
  return onesInRange(bits, 0, bitLength)
}

/** Longest run of identical bits among the first `bitLength` packed bits. */
function longestRunPacked(bits: Uint8Array, bitLength: number): number {
  const fullBytes = bitLength >> 3
  let runBit = -1
  let run = 0
  let longest = 0
  for (let i = 0; i < fullBytes; i++) {
    const b = bits[i] as number
    const msb = b >> 7
    const lead = LEAD_RUN[b] as number
    run = msb === runBit ? run + lead : lead
    runBit = msb
    if (run > longest) longest = run
    if (lead !== 8) {
      // The byte holds a change: its inner runs are complete, and a new run ends it.
      const inner = INNER_RUN[b] as number
      if (inner > longest) longest = inner
      run = TRAIL_RUN[b] as number
      runBit = b & 1
    }
  }
  const tailBits = bitLength & 7
  if (tailBits > 0) {
    const b = bits[fullBytes] as number
    for (let i = 0; i < tailBits; i++) {
      const bit = (b >> (7 - i)) & 1
      run = bit === runBit ? run + 1 : 1
      runBit = bit
      if (run > longest) longest = run
    }
  }
  return longest
}

/**
 * SP 800-90B repetition count and adaptive proportion tests with the network's fixed
 * cutoffs (HEALTH_CUTOFFS). Only the first `bitLength` bits of `bits` are read.
 */
export function healthTest(bits: Uint8Array, bitLength: number): HealthResult {
  checkPacked(bits, bitLength)
  const { repetitionCount, adaptiveWindow, adaptiveCutoff } = HEALTH_CUTOFFS
  const longestRun = longestRunPacked(bits, bitLength)
  let apt: 'pass' | 'fail' = 'pass'
  for (let start = 0; start + adaptiveWindow <= bitLength; start += adaptiveWindow) {
    const ones = onesInRange(bits, start, start + adaptiveWindow)
    const firstBit = ((bits[start >> 3] as number) >> (7 - (start & 7))) & 1
    const sameAsFirst = firstBit === 1 ? ones : adaptiveWindow - ones
    if (sameAsFirst >= adaptiveCutoff) {
      apt = 'fail'
      break
    }
  }
  return { rct: longestRun >= repetitionCount ? 'fail' : 'pass', apt, longestRun }
}

/**
 * SP 800-90B §6.3.1 most-common-value estimate from counts: p̂ = max(ones, zeros)/L,
 * p_u = min(1, p̂ + Z·√(p̂(1−p̂)/(L−1))), h = −log2 p_u; h = 0 for L < 2.
 */
export function mcvMinEntropyFromCounts(ones: number, length: number): number {
  if (!Number.isSafeInteger(length) || length < 0)
    throw new InvalidInputError(`length must be a non-negative integer, got ${length}`)
  if (!Number.isSafeInteger(ones) || ones < 0 || ones > length)
    throw new InvalidInputError(`ones must be an integer in 0..${length}, got ${ones}`)
  if (length < 2) return 0
  const p = Math.max(ones, length - ones) / length
  const pu = Math.min(1, p + MCV_Z * Math.sqrt((p * (1 - p)) / (length - 1)))
  // -log2(1) is -0; credit is a plain 0 then.
  return pu >= 1 ? 0 : -Math.log2(pu)
}

/** MCV min-entropy per bit of the first `bitLength` packed bits. */
export function mcvMinEntropyPerBit(bits: Uint8Array, bitLength: number): number {
  return mcvMinEntropyFromCounts(countOnesPacked(bits, bitLength), bitLength)
}

/** MCV min-entropy per bit of unpacked bits (one 0|1 per element), e.g. a pool. */
export function mcvMinEntropyPerBitUnpacked(bits: Uint8Array): number {
  let ones = 0
  for (let i = 0; i < bits.length; i++) {
    const bit = bits[i] as number
    if (bit > 1) throw new InvalidInputError(`bits must be 0 or 1: found ${bit} at position ${i}`)
    ones += bit
  }
  return mcvMinEntropyFromCounts(ones, bits.length)
}
