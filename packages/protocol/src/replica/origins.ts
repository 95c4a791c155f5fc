import { type TrustLevel, trustWeight } from '../consensus.js'
import { mcvMinEntropyPerBit } from '../health.js'
import type { Contribution } from '../types.js'
import { creditOut, foldCredit, unfoldCredit } from './credit-cap.js'
import type { Entry, OriginState } from './state.js'

/**
 * Per-origin figures, folding marks and credit (docs/PROTOCOL.md, "Fold and derived values"): credit =
 * Σ over retained credited contributions (folded, and among the origin's maxPerEpoch
 * smallest ids of their epoch: credit-cap.ts) of the origin's current weight × bit_length × h.
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
  /** of which credited: the maxPerEpoch smallest folded ids of each epoch */
  credited: number
  /** credit they earn: weight × Σ bit_length × h over the credited ones */
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
    frozenStored: 0,
    folded: 0,
    credited: 0,
    credit: 0,
  }
}

/**
 * Marks a stored entry folded; its epoch's and origin's figures follow, and its credit if
 * it is among its origin's `cap` (maxPerEpoch) smallest ids of the epoch. `decoded`: the
 * entry's contribution, when the caller has it at hand (a compact entry decodes on access).
 */
export function markFolded(entry: Entry, cap: number, decoded?: Contribution): void {
  entry.folded = true
  entry.epoch.folded++
  entry.epoch.foldChanged()
  if (entry.credit < 0) {
    const c = decoded ?? entry.v.contribution
    entry.credit = c.bitLength * mcvMinEntropyPerBit(c.bits, c.bitLength)
  }
  entry.origin.folded++
  foldCredit(entry, cap)
}

export function markUnfolded(entry: Entry, cap: number): void {
  entry.folded = false
  entry.epoch.folded--
  entry.epoch.foldChanged()
  entry.origin.folded--
  unfoldCredit(entry, cap)
}

/** A folded entry leaves with its pruned epoch: off its origin's figures and credit. */
export function dropFolded(entry: Entry): void {
  entry.origin.folded--
  creditOut(entry)
}

/** Credited entropy in bits over every origin, at each origin's current weight. */
export function totalCredit(origins: Iterable<OriginState>): number {
  let credit = 0
  for (const o of origins) if (o.credited > 0) credit += trustWeight(o.level) * o.credit
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
    retained: o.entries.size + o.frozenStored,
    folded: o.folded,
    credited: o.credited,
    creditBits: trustWeight(o.level) * o.credit,
  }
}
