import { compareIds, poolDigest } from '../epoch.js'
import { InvalidInputError } from '../errors.js'
import type { Contribution } from '../types.js'
import { FrozenEpoch } from './frozen-epoch.js'
import { type EpochState, idKey } from './state.js'

/** A live epoch or a frozen one (frozen-epoch.ts): the pool reads both alike. */
export type PoolEpoch = EpochState | FrozenEpoch

/**
 * The pool as the API shows it (docs/PROTOCOL.md, "Fold and derived values"): the pool
 * bits (folded bits, epochs newest first, ids ascending inside an epoch, truncated to
 * poolBits) and the pool digest over every retained folded id.
 */

export interface PoolBits {
  /** packed, MSB first, zero padding */
  bits: Uint8Array
  bitLength: number
}

/** The pool bits and pool digest, cached until the folded set changes. */
export class PoolView {
  private bitsCache: PoolBits | undefined
  private digestCache: Uint8Array | undefined

  constructor(private readonly maxBits: number) {}

  changed(): void {
    this.bitsCache = undefined
    this.digestCache = undefined
  }

  /** The first `limit` pool bits (all when undefined), a fresh copy. */
  bits(newestFirst: () => Iterable<PoolEpoch>, limit?: number): PoolBits {
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0))
      throw new InvalidInputError(`bit limit must be a non-negative integer, got ${limit}`)
    this.bitsCache ??= poolBitsOf(newestFirst(), this.maxBits)
    return truncatePoolBits(this.bitsCache, limit)
  }

  /** The pool digest, a fresh copy. */
  digest(epochs: () => Iterable<PoolEpoch>): Uint8Array {
    this.digestCache ??= poolDigestOf(epochs())
    return this.digestCache.slice()
  }
}

/** An epoch's folded contributions in id order, read one at a time. */
function* foldedOf(epoch: PoolEpoch): Generator<Contribution> {
  if (epoch instanceof FrozenEpoch) yield* epoch.foldedDecoded()
  else for (const entry of epoch.foldedInOrder()) yield entry.v.contribution
}

/** An epoch's folded ids with their sort keys (state.ts, idKey). */
function foldedIdsOf(epoch: PoolEpoch): Array<{ key: number; id: Uint8Array }> {
  if (epoch instanceof FrozenEpoch) return epoch.foldedIds().map((id) => ({ key: idKey(id), id }))
  return epoch.foldedInOrder().map((e) => ({ key: e.key, id: e.v.id }))
}

function poolBitsOf(newestFirst: Iterable<PoolEpoch>, maxBits: number): PoolBits {
  const out = new Uint8Array(Math.ceil(maxBits / 8))
  let n = 0
  fill: for (const epoch of newestFirst) {
    for (const c of foldedOf(epoch)) {
      n = appendBits(out, n, c.bits, Math.min(c.bitLength, maxBits - n))
      if (n === maxBits) break fill
    }
  }
  return { bits: out.slice(0, Math.ceil(n / 8)), bitLength: n }
}

/** The first `limit` bits of `pool` (all when undefined), as a fresh copy. */
function truncatePoolBits(pool: PoolBits, limit: number | undefined): PoolBits {
  const n = limit === undefined ? pool.bitLength : Math.min(limit, pool.bitLength)
  const out = pool.bits.slice(0, Math.ceil(n / 8))
  const spare = out.length * 8 - n
  if (spare > 0) out[out.length - 1] = (out[out.length - 1] as number) & ((0xff << spare) & 0xff)
  return { bits: out, bitLength: n }
}

function poolDigestOf(epochs: Iterable<PoolEpoch>): Uint8Array {
  const folded: Array<{ key: number; id: Uint8Array }> = []
  for (const epoch of epochs) for (const f of foldedIdsOf(epoch)) folded.push(f)
  // sorting by the numeric key first leaves poolDigest's bytewise sort a linear pass
  folded.sort((a, b) => (a.key !== b.key ? a.key - b.key : compareIds(a.id, b.id)))
  return poolDigest(folded.map((f) => f.id))
}

/**
 * Appends the first `take` bits of packed `src` at bit offset `at` of packed `out` (which
 * is zero from `at` on); returns the new offset.
 */
function appendBits(out: Uint8Array, at: number, src: Uint8Array, take: number): number {
  const bytes = Math.ceil(take / 8)
  const shift = at & 7
  const tail = take & 7
  let k = at >> 3
  for (let i = 0; i < bytes; i++, k++) {
    let b = src[i] as number
    if (i === bytes - 1 && tail !== 0) b &= (0xff << (8 - tail)) & 0xff
    out[k] = (out[k] as number) | (b >> shift)
    if (shift !== 0 && k + 1 < out.length)
      out[k + 1] = (out[k + 1] as number) | ((b << (8 - shift)) & 0xff)
  }
  return at + take
}
