import { type TrustLevel, trustWeight } from '../consensus.js'
import { mcvMinEntropyPerBit } from '../health.js'
import type { Contribution } from '../types.js'
import type { Entry, OriginState } from './state.js'

/**
 * Per-origin figures, folding marks and credit (docs/PROTOCOL.md, "Fold and derived values"): credit =
 * Σ over retained folded contributions of the origin's current weight × bit_length × h.
 */

export interface OriginStats {
  originHex: string
  trust: number
  active: boolean
  /** contributions added (counted while the origin has any in the retained window) */
  contributions: number
  /** Σ bit_length of those */
  bits: number
  /** newest receipt time handed to add() (the contribution timestamp when none was) */
  lastSeenMs: number
  /** contributions in the retained window */
  retained: number
  /** of which folded */
  folded: number
  /** credit they earn: weight × Σ bit_length × h */
  creditBits: number
}

export function newOrigin(originHex: string, level: TrustLevel): OriginState {
  return {
    originHex,
    level,
    contributions: 0,
    bits: 0,
    lastSeenMs: 0,
    entries: new Set(),
    folded: 0,
    credit: 0,
  }
}

/**
 * Marks a stored entry folded; its epoch's and origin's figures follow. `decoded`: the
 * entry's contribution, when the caller has it at hand (a compact entry decodes on access).
 */
export function markFolded(entry: Entry, decoded?: Contribution): void {
  entry.folded = true
  entry.epoch.folded++
  entry.epoch.foldChanged()
  if (entry.credit < 0) {
    const c = decoded ?? entry.v.contribution
    entry.credit = c.bitLength * mcvMinEntropyPerBit(c.bits, c.bitLength)
  }
  entry.origin.folded++
  entry.origin.credit += entry.credit
}

export function markUnfolded(entry: Entry): void {
  entry.folded = false
  entry.epoch.folded--
  entry.epoch.foldChanged()
  creditOut(entry)
}

/** Takes a folded entry's credit off its origin (unfolded or pruned). */
export function creditOut(entry: Entry): void {
  const origin = entry.origin
  origin.folded--
  // reset at zero so float residue of many ± does not linger
  origin.credit = origin.folded === 0 ? 0 : origin.credit - entry.credit
}

/** Credited entropy in bits over every origin, at each origin's current weight. */
export function totalCredit(origins: Iterable<OriginState>): number {
  let credit = 0
  for (const o of origins) if (o.folded > 0) credit += trustWeight(o.level) * o.credit
  return credit
}

export function statsOf(o: OriginState): OriginStats {
  return {
    originHex: o.originHex,
    trust: o.level.trust,
    active: o.level.active,
    contributions: o.contributions,
    bits: o.bits,
    lastSeenMs: o.lastSeenMs,
    retained: o.entries.size,
    folded: o.folded,
    creditBits: trustWeight(o.level) * o.credit,
  }
}
