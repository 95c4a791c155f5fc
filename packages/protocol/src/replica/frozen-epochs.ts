import { CompactContribution } from '../compact.js'
import { InvalidInputError } from '../errors.js'
import { fromHex, toHex } from '../signing.js'
import { encodeContribution } from '../wire/codec.js'
import { FrozenEpoch } from './frozen-epoch.js'
import {
  decodeFrozenRecord,
  encodeFrozenRecord,
  type FrozenEntry,
  type FrozenOrigin,
  originOfRecord,
} from './frozen-record.js'
import type { EpochState, OriginState } from './state.js'

/**
 * The replica's final epochs, each a FrozenEpoch (one record, no per-contribution
 * objects), and an index from an id's first 30 bits (frozenKey) to the epoch that holds
 * it, so that has/get/isFolded by id stay O(1) without a 64-digit string per
 * contribution. 30 bits keep the key a small integer, which V8's maps hash and store
 * without a heap number: inserting a million took 0.44 s with 48-bit keys (a 1M reload's
 * largest step after the draw chain). Ids that share those bits (~500 pairs among a
 * million) share a slot that lists their epochs, each searched by its sorted ids.
 *
 * The epochs' figures stay on their origins (OriginState: folded, credited, credit, and
 * `frozenStored` for the retained count) until the epoch is pruned.
 */
export class FrozenEpochs {
  readonly byEpoch = new Map<number, FrozenEpoch>()
  private readonly index = new Map<number, FrozenEpoch | FrozenEpoch[]>()
  /** stored contributions over the frozen epochs */
  stored = 0

  get(r: number): FrozenEpoch | undefined {
    return this.byEpoch.get(r)
  }

  has(r: number): boolean {
    return this.byEpoch.has(r)
  }

  /** Where a stored id (lowercase hex) is: its epoch and index there. */
  find(idHex: string): { epoch: FrozenEpoch; i: number } | undefined {
    const slot = this.index.get(Number.parseInt(idHex.slice(0, 8), 16) >>> 2)
    if (slot === undefined || idHex.length !== 64) return undefined
    const id = fromHex(idHex)
    for (const epoch of Array.isArray(slot) ? slot : [slot]) {
      const i = epoch.indexOf(id)
      if (i >= 0) return { epoch, i }
    }
    return undefined
  }

  /** Holds a frozen epoch (none of r yet); `origins` takes its figures (see apply). */
  add(epoch: FrozenEpoch): void {
    if (this.byEpoch.has(epoch.epoch))
      throw new InvalidInputError(`epoch ${epoch.epoch} is already frozen`)
    this.byEpoch.set(epoch.epoch, epoch)
    this.stored += epoch.stored
    for (let i = 0; i < epoch.stored; i++) {
      const key = epoch.keyAt(i)
      const slot = this.index.get(key)
      if (slot === undefined) this.index.set(key, epoch)
      else if (Array.isArray(slot)) slot.push(epoch)
      else if (slot !== epoch) this.index.set(key, [slot, epoch])
    }
  }

  /** Drops epoch r; returns it (its origins' figures are the caller's to take off). */
  delete(r: number): FrozenEpoch | undefined {
    const epoch = this.byEpoch.get(r)
    if (epoch === undefined) return undefined
    this.byEpoch.delete(r)
    this.stored -= epoch.stored
    for (let i = 0; i < epoch.stored; i++) {
      const key = epoch.keyAt(i)
      const slot = this.index.get(key)
      if (slot === epoch) this.index.delete(key)
      else if (Array.isArray(slot)) {
        const rest = slot.filter((e) => e !== epoch)
        if (rest.length === 1) this.index.set(key, rest[0] as FrozenEpoch)
        else this.index.set(key, rest)
      }
    }
    return epoch
  }
}

/**
 * The record of a live epoch that was just finalized: its stored entries in id order,
 * each origin's figures over them (those its OriginState already counts).
 */
export function recordOfEpoch(state: EpochState, cap: number): Uint8Array {
  const at = new Map<string, number>()
  const origins: FrozenOrigin[] = []
  const entries: FrozenEntry[] = []
  for (const e of state.storedInOrder()) {
    const c = e.v.contribution
    let k = at.get(e.origin.originHex)
    if (k === undefined) {
      k = origins.length
      at.set(e.origin.originHex, k)
      origins.push({
        origin: fromHex(e.origin.originHex),
        stored: 0,
        folded: 0,
        credited: 0,
        credit: 0,
        bits: 0,
        newestMs: 0,
      })
    }
    const o = origins[k] as FrozenOrigin
    o.stored++
    o.bits += c.bitLength
    o.newestMs = Math.max(o.newestMs, c.timestampMs)
    if (e.folded) o.folded++
    if (e.credited) {
      o.credited++
      o.credit += e.credit
    }
    const encoded = e.v instanceof CompactContribution ? e.v.bytes : encodeContribution(c)
    entries.push({ id: e.v.id, origin: k, folded: e.folded, encoded })
  }
  return encodeFrozenRecord({ network: state.network, epoch: state.epoch, cap, origins, entries })
}

/** A frozen epoch over `body`, its origins named by the shared hex strings `originOf` gives. */
export function frozenEpochOf(
  body: Uint8Array,
  expect: { network: string; cap: number },
  originOf: (originHex: string) => OriginState,
): FrozenEpoch {
  const record = decodeFrozenRecord(body)
  if (record.network !== expect.network)
    throw new InvalidInputError(
      `frozen epoch record of network '${record.network}', not '${expect.network}'`,
    )
  // the credited sets depend on the cap: a record made under another one is not taken as is
  if (record.cap !== expect.cap)
    throw new InvalidInputError(
      `frozen epoch record made with maxPerEpoch ${record.cap}, not ${expect.cap}`,
    )
  const hexes: string[] = []
  for (let i = 0; i < record.originAt.length; i++)
    hexes.push(originOf(toHex(originOfRecord(record, i).origin)).originHex)
  return new FrozenEpoch(record, hexes)
}

/**
 * Adds (sign 1) or takes off (−1) a frozen epoch's figures on its origins. Added when a
 * record is loaded (a restart: as add() of each contribution then finalize would have),
 * taken off when the epoch is pruned. A live epoch frozen in place keeps its figures: only
 * its retained count moves to `frozenStored` (moveToFrozen).
 */
export function applyFrozen(
  epoch: FrozenEpoch,
  sign: 1 | -1,
  originOf: (originHex: string) => OriginState,
): void {
  for (let i = 0; i < epoch.originHexes.length; i++) {
    const o = originOfRecord(epoch.record, i)
    const origin = originOf(epoch.originHexes[i] as string)
    if (sign === 1) {
      origin.contributions += o.stored
      origin.bits += o.bits
      origin.lastSeenMs = Math.max(origin.lastSeenMs, o.newestMs)
    }
    origin.frozenStored += sign * o.stored
    origin.folded += sign * o.folded
    origin.credited += sign * o.credited
    // reset at zero so float residue of many ± does not linger (as creditOut does)
    origin.credit = origin.credited === 0 ? 0 : origin.credit + sign * o.credit
  }
}
