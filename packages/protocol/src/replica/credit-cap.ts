import { byId, type Entry, type OriginFold } from './state.js'

/**
 * The per-origin cap on credit (DESIGN.md, "Per-origin caps decide by the set, not by
 * arrival"): validation takes up to 2 × maxPerEpoch contributions of one origin for an
 * epoch and the replica folds them all (digest, beacon and pool bits cover the whole set,
 * so it only grows and replicas that hold the same set agree), but an origin earns credit
 * for its maxPerEpoch smallest ids of the epoch only. Which ones is a function of the set,
 * never of arrival order, so an origin that floods cannot buy credit on one node that it
 * does not have on another.
 *
 * Kept per epoch and origin: the folded entries, sorted by id once there are more than
 * the cap (until then every one is credited and order does not matter). Entries hold
 * `credited`; creditIn/creditOut move their credit on and off the origin.
 */

/** The entry was just folded: credit it if it is among its origin's `cap` smallest ids. */
export function foldCredit(entry: Entry, cap: number): void {
  const folds = entry.epoch.foldedByOrigin
  let fold = folds.get(entry.origin.originHex)
  if (fold === undefined) {
    fold = { entries: [], sorted: true }
    folds.set(entry.origin.originHex, fold)
  }
  const list = fold.entries
  if (list.length < cap) {
    list.push(entry)
    fold.sorted = list.length === 1
    creditIn(entry)
    return
  }
  sortOnce(fold)
  const at = insertionPoint(list, entry)
  list.splice(at, 0, entry)
  if (at >= cap) return
  // it displaces the largest credited id, which is now just past the cap
  creditOut(list[cap] as Entry)
  creditIn(entry)
}

/** The entry was just unfolded: take its credit off and credit the next id in line. */
export function unfoldCredit(entry: Entry, cap: number): void {
  const folds = entry.epoch.foldedByOrigin
  const fold = folds.get(entry.origin.originHex)
  if (fold === undefined) return
  const list = fold.entries
  const at = list.indexOf(entry)
  if (at === -1) return
  list.splice(at, 1)
  if (list.length === 0) folds.delete(entry.origin.originHex)
  if (!entry.credited) return
  creditOut(entry)
  if (list.length < cap) return
  sortOnce(fold)
  creditIn(list[cap - 1] as Entry)
}

/** Adds a folded entry's credit to its origin. */
export function creditIn(entry: Entry): void {
  if (entry.credited) return
  entry.credited = true
  entry.origin.credited++
  entry.origin.credit += entry.credit
}

/** Takes an entry's credit off its origin (displaced, unfolded or pruned). */
export function creditOut(entry: Entry): void {
  if (!entry.credited) return
  entry.credited = false
  const origin = entry.origin
  origin.credited--
  // reset at zero so float residue of many ± does not linger
  origin.credit = origin.credited === 0 ? 0 : origin.credit - entry.credit
}

function sortOnce(fold: OriginFold): void {
  if (fold.sorted) return
  fold.entries.sort(byId)
  fold.sorted = true
}

/** First index whose entry sorts after `entry` (binary search over a sorted list). */
function insertionPoint(list: readonly Entry[], entry: Entry): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (byId(list[mid] as Entry, entry) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}
