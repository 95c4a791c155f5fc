import { InvalidInputError } from '../errors.js'
import { toHex } from '../platform.js'
import { os2ip } from './bytes.js'
import { ALPHA_BYTES, type CommitSet, type CommitSetMember, commitValue } from './commits.js'
import { abs, G, multiPowN, powFixed } from './group.js'

/**
 * Reveals against C_r. One check for the whole set, |g^A| = |Π c_i^ℓ_i| with A = Σ ℓ_i·α_i
 * (a 2300-bit exponent and ~128 shared squarings, where one check per reveal costs a
 * 2176-bit exponent each); only when it fails is each reveal checked alone, and an invalid
 * one counts as withheld. A passing aggregate proves A right for the output, which is all
 * the output uses (Y depends on the reveals only through A).
 */

export interface RevealInput {
  origin: Uint8Array
  alpha: Uint8Array
}

export interface RevealCheck {
  /** origin hex of each member whose reveal is valid, in C_r's order */
  revealed: string[]
  /** origin hex of each member that sent a reveal that is not valid */
  invalid: string[]
  /** origin hex of each member with no valid reveal (invalid ones included), in C_r's order */
  withheld: string[]
  /** α of each revealed member, by origin hex */
  alphas: Map<string, bigint>
}

/** True when `alpha` opens the member's commit: 272 bytes and |g^α| = c. */
export function revealOpens(member: CommitSetMember, alpha: Uint8Array): boolean {
  return alpha.length === ALPHA_BYTES && commitValue(alpha) === member.c
}

/** A = Σ ℓ_i·α_i over the given members (integers, no reduction: the order of g is unknown). */
export function weightedSum(
  set: CommitSet,
  alphas: Map<string, bigint>,
  origins: readonly string[],
): bigint {
  const byHex = new Map(set.members.map((m) => [m.originHex, m]))
  let A = 0n
  for (const hex of origins) {
    const member = byHex.get(hex)
    const alpha = alphas.get(hex)
    if (member === undefined || alpha === undefined)
      throw new InvalidInputError(`no commit and reveal for origin ${hex}`)
    A += member.weight * alpha
  }
  return A
}

/**
 * Sorts reveals into revealed, invalid and withheld. Reveals of origins outside C_r are
 * ignored; two reveals of one origin are refused (the caller keeps one per origin).
 */
export function checkReveals(set: CommitSet, reveals: Iterable<RevealInput>): RevealCheck {
  const byHex = new Map<string, Uint8Array>()
  const members = new Set(set.members.map((m) => m.originHex))
  for (const { origin, alpha } of reveals) {
    const hex = toHex(origin)
    if (!members.has(hex)) continue
    if (byHex.has(hex)) throw new InvalidInputError(`two reveals of origin ${hex}: one per origin`)
    byHex.set(hex, alpha)
  }
  const candidates = set.members.filter((m) => byHex.get(m.originHex)?.length === ALPHA_BYTES)
  const alphas = new Map(
    candidates.map((m) => [m.originHex, os2ip(byHex.get(m.originHex) as Uint8Array)]),
  )
  const aggregateHolds = (): boolean => {
    if (candidates.length === 0) return true
    const A = weightedSum(set, alphas, [...alphas.keys()])
    const combined = multiPowN(
      candidates.map((m) => m.c),
      candidates.map((m) => m.weight),
    )
    return abs(powFixed(G, A)) === abs(combined)
  }
  if (!aggregateHolds())
    for (const m of candidates)
      if (!revealOpens(m, byHex.get(m.originHex) as Uint8Array)) alphas.delete(m.originHex)
  const revealed: string[] = []
  const invalid: string[] = []
  const withheld: string[] = []
  for (const m of set.members) {
    if (alphas.has(m.originHex)) revealed.push(m.originHex)
    else {
      withheld.push(m.originHex)
      if (byHex.has(m.originHex)) invalid.push(m.originHex)
    }
  }
  return { revealed, invalid, withheld, alphas }
}
