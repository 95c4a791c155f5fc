import { hash } from 'node:crypto'
import { type ProtocolParams, READY_CREDIT_BITS } from './config.js'
import {
  assertTrustLevel,
  resolveTrust,
  type TrustLevel,
  type TrustLookup,
  trustWeight,
} from './consensus.js'
import { privateDraw } from './draws.js'
import { epochBeacon, epochDigest, poolDigest } from './epoch.js'
import { InvalidInputError } from './errors.js'
import { mcvMinEntropyPerBit } from './health.js'
import type { VerifiedContribution } from './types.js'

/**
 * A node's replica of the global entropy pool (DESIGN.md, "Folding" and "Derived values").
 *
 * - Store: every valid contribution of the retained window, keyed by id hex. The replica
 *   trusts its caller: signatures, health tests and epoch/timestamp checks happen before
 *   add(). Durable storage is the daemon's: it persists what add() reports as 'added',
 *   reloads with load() on restart (then finalize(r, ids) for epochs it had frozen).
 * - Fold: a contribution is folded iff its origin's trust > 0 and the origin is active.
 *   Levels come from the trust lookup (self 1, unlisted peers defaultTrust) and are cached
 *   per origin; setTrust()/refold() re-fold every epoch that is not final.
 * - Derived values (digest, beacon, pool bits, pool digest) are pure functions of the
 *   folded set, cached and invalidated on change, so add() stays O(1) amortised (plus one
 *   SHA-256 and one MCV count when it folds).
 * - Finality: finalize(r) freezes epoch r's folded set, hence its digest and beacon;
 *   later adds for r return 'final'. Epochs below the prune floor count as final too.
 *
 * Decisions where DESIGN.md is silent:
 * - credit = Σ over retained folded contributions of weight(origin) × bit_length × h, with
 *   the origin's current weight (trust if active, else 0). Frozen contributions of an origin
 *   later set to 0 stay in their epoch's digest but stop earning credit.
 * - pool digest sorts all retained folded ids in one ascending order (see epoch.ts).
 * - the private-draw pool state starts at 32 zero bytes (or a restored state) and absorbs an
 *   id the first time it is folded, never twice; unfolding cannot take it back out.
 * - per-origin stats count contributions since start while the origin has any in the
 *   retained window; prune forgets origins left with none (bounded memory).
 */

export type AddResult = 'added' | 'duplicate' | 'final'

export interface AddCounts {
  added: number
  duplicate: number
  final: number
}

export interface ReplicaOptions {
  params: ProtocolParams
  /** origin hex of this node: always trust 1 */
  selfHex: string
  /** the trust store; unlisted peers get params.defaultTrust */
  trustOf?: TrustLookup
  /** restored private-draw pool state (32 bytes); default 32 zero bytes */
  poolState?: Uint8Array
  /** restored draw counter; default 0 */
  drawCounter?: number
}

export interface EpochSummary {
  epoch: number
  /** digest over the folded ids (DESIGN.md epoch digest) */
  digest: Uint8Array
  /** folded contributions */
  count: number
  /** stored contributions, folded or not */
  stored: number
  /**
   * the epoch-digest layout over every stored id: equal on two replicas exactly when they
   * store the same set, whatever their trust, so sync can tell "nothing to repair" apart
   * from "we fold differently"
   */
  storedDigest: Uint8Array
  final: boolean
}

export interface OriginStats {
  originHex: string
  trust: number
  active: boolean
  /** contributions added (see the module note on how long they are counted) */
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

export interface PoolBits {
  /** packed, MSB first, zero padding */
  bits: Uint8Array
  bitLength: number
}

interface Entry {
  readonly v: VerifiedContribution
  readonly epoch: EpochState
  readonly origin: OriginState
  /** sort key, see byId */
  readonly key: number
  folded: boolean
  absorbed: boolean
  /** bit_length × h, computed when first folded (−1 before) */
  credit: number
}

interface OriginState {
  readonly originHex: string
  level: TrustLevel
  contributions: number
  bits: number
  lastSeenMs: number
  readonly entries: Set<Entry>
  folded: number
  /** Σ credit of folded entries */
  credit: number
}

/**
 * Ascending id order. Comparing the numeric 48-bit prefix first is several times faster
 * than comparing hex strings, and ties (1 in 2^48 per pair) fall back to the full id.
 */
const byId = (a: Entry, b: Entry): number =>
  a.key !== b.key ? a.key - b.key : a.v.idHex < b.v.idHex ? -1 : 1

/** The first 6 id bytes as an exact number (48 bits < 2^53). */
function idKey(id: Uint8Array): number {
  let key = 0
  for (let i = 0; i < 6; i++) key = key * 256 + (id[i] as number)
  return key
}

/** One epoch's contributions and its cached derived values. */
class EpochState {
  readonly stored = new Map<string, Entry>()
  readonly perOrigin = new Map<string, number>()
  folded = 0
  final = false
  private sortedStored: Entry[] | undefined
  private sortedFolded: Entry[] | undefined
  private digestCache: Uint8Array | undefined
  private storedDigestCache: Uint8Array | undefined
  private beaconCache: Uint8Array | null | undefined

  constructor(
    readonly network: string,
    readonly epoch: number,
  ) {}

  storedChanged(): void {
    this.sortedStored = undefined
    this.storedDigestCache = undefined
  }

  foldChanged(): void {
    this.sortedFolded = undefined
    this.digestCache = undefined
    this.beaconCache = undefined
  }

  storedInOrder(): Entry[] {
    this.sortedStored ??= [...this.stored.values()].sort(byId)
    return this.sortedStored
  }

  foldedInOrder(): Entry[] {
    this.sortedFolded ??= this.storedInOrder().filter((e) => e.folded)
    return this.sortedFolded
  }

  digest(): Uint8Array {
    this.digestCache ??= epochDigest(
      this.network,
      this.epoch,
      this.foldedInOrder().map((e) => e.v.id),
    )
    return this.digestCache
  }

  storedDigest(): Uint8Array {
    this.storedDigestCache ??= epochDigest(
      this.network,
      this.epoch,
      this.storedInOrder().map((e) => e.v.id),
    )
    return this.storedDigestCache
  }

  beacon(): Uint8Array | undefined {
    if (this.beaconCache === undefined) {
      const folded = this.foldedInOrder()
      this.beaconCache =
        folded.length === 0
          ? null
          : epochBeacon(
              this.network,
              this.epoch,
              this.digest(),
              folded.map((e) => e.v.contribution.bits),
            )
    }
    return this.beaconCache ?? undefined
  }
}

export class Replica {
  readonly params: ProtocolParams
  readonly selfHex: string
  private readonly lookup: TrustLookup | undefined
  private readonly byId = new Map<string, Entry>()
  private readonly epochStates = new Map<number, EpochState>()
  private readonly origins = new Map<string, OriginState>()
  /** epochs below it were pruned and count as final */
  private floor = 0
  private storedTotal = 0
  private foldedTotal = 0
  /** pool state in bytes 0..31; bytes 32..63 take the id being absorbed */
  private readonly chainInput = new Uint8Array(64)
  private counter: number
  private epochOrder: number[] | undefined
  private poolBitsCache: PoolBits | undefined
  private poolDigestCache: Uint8Array | undefined

  constructor(options: ReplicaOptions) {
    this.params = options.params
    this.selfHex = options.selfHex
    this.lookup = options.trustOf
    const state = options.poolState ?? new Uint8Array(32)
    if (state.length !== 32)
      throw new InvalidInputError(`pool state must be 32 bytes, got ${state.length}`)
    this.chainInput.set(state)
    const counter = options.drawCounter ?? 0
    if (!Number.isSafeInteger(counter) || counter < 0)
      throw new InvalidInputError(`draw counter must be a non-negative integer, got ${counter}`)
    this.counter = counter
  }

  // ---- store ------------------------------------------------------------------------------

  /**
   * Stores a verified contribution and folds it if its origin is trusted. 'duplicate':
   * already stored; 'final': its epoch is frozen (or pruned), nothing changed.
   * `receivedMs` feeds the origin's lastSeenMs (default: the contribution's timestamp).
   */
  add(v: VerifiedContribution, receivedMs?: number): AddResult {
    const c = v.contribution
    if (c.network !== this.params.network)
      throw new InvalidInputError(
        `contribution of network '${c.network}' given to the replica of '${this.params.network}'`,
      )
    if (v.id.length !== 32 || v.idHex.length !== 64)
      throw new InvalidInputError('contribution id must be 32 bytes with its 64-digit hex')
    if (receivedMs !== undefined && !Number.isFinite(receivedMs))
      throw new InvalidInputError(`receivedMs must be a finite number, got ${receivedMs}`)
    if (this.byId.has(v.idHex)) return 'duplicate'
    const r = c.epoch
    if (!Number.isSafeInteger(r) || r < 0)
      throw new InvalidInputError(`contribution epoch must be a non-negative integer, got ${r}`)
    if (r < this.floor) return 'final'
    let epoch = this.epochStates.get(r)
    if (epoch?.final) return 'final'
    if (epoch === undefined) epoch = this.createEpoch(r)

    const origin = this.originState(v.originHex)
    const entry: Entry = {
      v,
      epoch,
      origin,
      key: idKey(v.id),
      folded: false,
      absorbed: false,
      credit: -1,
    }
    this.byId.set(v.idHex, entry)
    this.storedTotal++
    epoch.stored.set(v.idHex, entry)
    epoch.perOrigin.set(v.originHex, (epoch.perOrigin.get(v.originHex) ?? 0) + 1)
    epoch.storedChanged()
    origin.entries.add(entry)
    origin.contributions++
    origin.bits += c.bitLength
    origin.lastSeenMs = Math.max(origin.lastSeenMs, receivedMs ?? c.timestampMs)
    if (trustWeight(origin.level) > 0) this.fold(entry)
    return 'added'
  }

  /** Bulk add (restart from storage, sync batches). Load before finalizing frozen epochs. */
  load(items: Iterable<VerifiedContribution>): AddCounts {
    const counts: AddCounts = { added: 0, duplicate: 0, final: 0 }
    for (const v of items) counts[this.add(v)]++
    return counts
  }

  /**
   * Union with another replica's stored set. Commutative, associative and idempotent on
   * the stored set, hence on every derived value for equal trust and finality.
   */
  merge(other: Replica): AddCounts {
    return this.load(other === this ? [] : other.contributions())
  }

  has(idHex: string): boolean {
    return this.byId.has(idHex)
  }

  get(idHex: string): VerifiedContribution | undefined {
    return this.byId.get(idHex)?.v
  }

  isFolded(idHex: string): boolean {
    return this.byId.get(idHex)?.folded ?? false
  }

  /** Every stored contribution of the retained window (no order promised). */
  *contributions(): IterableIterator<VerifiedContribution> {
    for (const entry of this.byId.values()) yield entry.v
  }

  /** The given id hexes (lowercase) that are not stored, each once, in the given order. */
  missingFrom(ids: Iterable<string>): string[] {
    const missing = new Set<string>()
    for (const id of ids) if (!this.byId.has(id)) missing.add(id)
    return [...missing]
  }

  /** Stored ids of epoch r, ascending (what a peer asks for during repair). */
  idsOfEpoch(r: number): string[] {
    return (this.epochStates.get(r)?.storedInOrder() ?? []).map((e) => e.v.idHex)
  }

  /** Stored contributions of epoch r in id order. */
  contributionsOf(r: number): VerifiedContribution[] {
    return (this.epochStates.get(r)?.storedInOrder() ?? []).map((e) => e.v)
  }

  /** Folded ids of epoch r, ascending: the ids behind digest(r) and beacon(r). */
  foldedIdsOf(r: number): string[] {
    return (this.epochStates.get(r)?.foldedInOrder() ?? []).map((e) => e.v.idHex)
  }

  /** Folded contributions of epoch r in id order (to recompute and verify the beacon). */
  foldedOf(r: number): VerifiedContribution[] {
    return (this.epochStates.get(r)?.foldedInOrder() ?? []).map((e) => e.v)
  }

  /** Contributions of `originHex` stored for epoch r (validation's maxPerEpoch). */
  countOf(originHex: string, r: number): number {
    return this.epochStates.get(r)?.perOrigin.get(originHex) ?? 0
  }

  originStats(originHex: string): OriginStats | undefined {
    const o = this.origins.get(originHex)
    return o === undefined || o.contributions === 0 ? undefined : this.statsOf(o)
  }

  /** Figures of every origin with contributions, by origin hex. */
  allOriginStats(): OriginStats[] {
    return [...this.origins.values()]
      .filter((o) => o.contributions > 0)
      .sort((a, b) => (a.originHex < b.originHex ? -1 : 1))
      .map((o) => this.statsOf(o))
  }

  get storedCount(): number {
    return this.storedTotal
  }

  get foldedCount(): number {
    return this.foldedTotal
  }

  // ---- trust ------------------------------------------------------------------------------

  /** The level the replica folds `originHex` with. */
  trustOf(originHex: string): TrustLevel {
    const { trust, active } = this.origins.get(originHex)?.level ?? this.resolve(originHex)
    return { trust, active }
  }

  /**
   * Records the level the trust store now holds for `originHex` and re-folds its
   * contributions in every epoch that is not final. Keep the lookup in step: refold() and
   * origins seen afresh read the lookup again.
   */
  setTrust(originHex: string, level: TrustLevel): void {
    if (originHex === this.selfHex)
      throw new InvalidInputError('the node itself always has trust 1')
    assertTrustLevel(level, originHex)
    const origin = this.originState(originHex)
    origin.level = { trust: level.trust, active: level.active }
    this.applyLevel(origin)
  }

  /** Re-reads every known origin's level from the lookup and re-folds non-final epochs. */
  refold(): void {
    for (const origin of this.origins.values()) {
      origin.level = this.resolve(origin.originHex)
      this.applyLevel(origin)
    }
  }

  // ---- derived values ---------------------------------------------------------------------

  /** Epoch digest of r over its folded ids (that of the empty set when nothing is folded). */
  digest(r: number): Uint8Array {
    const epoch = this.epochStates.get(r)
    return (epoch?.digest() ?? epochDigest(this.params.network, r, [])).slice()
  }

  /** Beacon of r; undefined when no contribution of r is folded. */
  beacon(r: number): Uint8Array | undefined {
    return this.epochStates.get(r)?.beacon()?.slice()
  }

  /** Folded contributions of r. */
  count(r: number): number {
    return this.epochStates.get(r)?.folded ?? 0
  }

  isFinal(r: number): boolean {
    return r < this.floor || (this.epochStates.get(r)?.final ?? false)
  }

  summary(r: number): EpochSummary {
    const epoch = this.epochStates.get(r)
    if (epoch === undefined) {
      const empty = epochDigest(this.params.network, r, [])
      return {
        epoch: r,
        digest: empty,
        count: 0,
        stored: 0,
        storedDigest: empty.slice(),
        final: this.isFinal(r),
      }
    }
    return {
      epoch: r,
      digest: epoch.digest().slice(),
      count: epoch.folded,
      stored: epoch.stored.size,
      storedDigest: epoch.storedDigest().slice(),
      final: epoch.final,
    }
  }

  /** Summaries of every retained epoch the replica holds (contributions or finality), ascending. */
  summaries(): EpochSummary[] {
    return this.retainedEpochs().map((r) => this.summary(r))
  }

  /** Retained epochs the replica holds, ascending. */
  retainedEpochs(): number[] {
    this.epochOrder ??= [...this.epochStates.keys()].sort((a, b) => a - b)
    return [...this.epochOrder]
  }

  /**
   * Pool bits: folded bits, epochs newest first, ids ascending inside an epoch, truncated
   * to poolBits (and to `limit` when given).
   */
  poolBits(limit?: number): PoolBits {
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0))
      throw new InvalidInputError(`bit limit must be a non-negative integer, got ${limit}`)
    this.poolBitsCache ??= this.computePoolBits()
    const { bits, bitLength } = this.poolBitsCache
    const n = limit === undefined ? bitLength : Math.min(limit, bitLength)
    const out = bits.slice(0, Math.ceil(n / 8))
    const spare = out.length * 8 - n
    if (spare > 0) out[out.length - 1] = (out[out.length - 1] as number) & ((0xff << spare) & 0xff)
    return { bits: out, bitLength: n }
  }

  /** SHA-256 over the sorted ids of all retained folded contributions. */
  poolDigest(): Uint8Array {
    if (this.poolDigestCache === undefined) {
      const folded: Entry[] = []
      for (const epoch of this.epochStates.values()) folded.push(...epoch.foldedInOrder())
      // sorting the hex keys first leaves poolDigest's bytewise sort a linear pass
      this.poolDigestCache = poolDigest(folded.sort(byId).map((e) => e.v.id))
    }
    return this.poolDigestCache.slice()
  }

  /** Credited entropy in bits (see the module note). */
  get creditBits(): number {
    let credit = 0
    for (const o of this.origins.values())
      if (o.folded > 0) credit += trustWeight(o.level) * o.credit
    return credit
  }

  /** Credited entropy has reached READY_CREDIT_BITS: private draws are allowed. */
  get ready(): boolean {
    return this.creditBits >= READY_CREDIT_BITS
  }

  // ---- epochs -----------------------------------------------------------------------------

  /**
   * Freezes epoch r: its folded set, digest and beacon never change again and later adds
   * are refused. `foldedIds` restores a set frozen before a restart (load() first): those
   * stored ids become exactly the folded set, whatever today's trust. Idempotent; an empty
   * epoch is frozen too.
   */
  finalize(r: number, foldedIds?: Iterable<string>): void {
    if (!Number.isSafeInteger(r) || r < 0)
      throw new InvalidInputError(`epoch must be a non-negative integer, got ${r}`)
    if (r < this.floor) return
    const want = foldedIds === undefined ? undefined : new Set(foldedIds)
    for (const id of want ?? [])
      if (this.byId.get(id)?.epoch.epoch !== r)
        throw new InvalidInputError(`cannot freeze epoch ${r} with ${id}: not stored in it`)
    const epoch = this.epochStates.get(r) ?? this.createEpoch(r)
    if (want !== undefined) {
      if (epoch.final) {
        if (want.size !== epoch.folded || epoch.foldedInOrder().some((e) => !want.has(e.v.idHex)))
          throw new InvalidInputError(`epoch ${r} is already final with another folded set`)
        return
      }
      for (const entry of epoch.stored.values()) {
        const fold = want.has(entry.v.idHex)
        if (fold && !entry.folded) this.fold(entry)
        else if (!fold && entry.folded) this.unfold(entry)
      }
    }
    epoch.final = true
  }

  /**
   * Drops epochs before `oldestRetainedEpoch` from memory (they count as final from then
   * on). Returns how many contributions went.
   */
  prune(oldestRetainedEpoch: number): number {
    if (!Number.isSafeInteger(oldestRetainedEpoch) || oldestRetainedEpoch < 0)
      throw new InvalidInputError(
        `epoch must be a non-negative integer, got ${oldestRetainedEpoch}`,
      )
    if (oldestRetainedEpoch <= this.floor) return 0
    let dropped = 0
    for (const [r, epoch] of this.epochStates) {
      if (r >= oldestRetainedEpoch) continue
      for (const entry of epoch.stored.values()) {
        this.byId.delete(entry.v.idHex)
        this.storedTotal--
        if (entry.folded) {
          this.foldedTotal--
          this.creditOut(entry)
        }
        entry.origin.entries.delete(entry)
        dropped++
      }
      this.epochStates.delete(r)
    }
    this.floor = oldestRetainedEpoch
    for (const [hex, origin] of this.origins)
      if (origin.entries.size === 0) this.origins.delete(hex)
    this.epochOrder = undefined
    this.poolChanged()
    return dropped
  }

  /** Oldest epoch still accepted (epochs below were pruned). */
  get oldestRetainedEpoch(): number {
    return this.floor
  }

  // ---- private draws ----------------------------------------------------------------------

  /** SHA-256 chain over every folded id in arrival order (persist it with drawCounter). */
  get poolState(): Uint8Array {
    return this.chainInput.slice(0, 32)
  }

  get drawCounter(): number {
    return this.counter
  }

  /**
   * Private draw from the pool state and 32 OS-random bytes the caller just drew; throws
   * NotReadyError (ERR_NOT_READY) before ready unless allowLowEntropy. See draws.ts.
   */
  privateDraw(
    osRandom: Uint8Array,
    length: number,
    options: { allowLowEntropy?: boolean } = {},
  ): Uint8Array {
    const out = privateDraw({
      network: this.params.network,
      poolState: this.chainInput.subarray(0, 32),
      osRandom,
      counter: this.counter,
      length,
      creditBits: this.creditBits,
      allowLowEntropy: options.allowLowEntropy ?? false,
    })
    this.counter++
    return out
  }

  // ---- internals --------------------------------------------------------------------------

  private createEpoch(r: number): EpochState {
    const epoch = new EpochState(this.params.network, r)
    this.epochStates.set(r, epoch)
    this.epochOrder = undefined
    return epoch
  }

  private resolve(originHex: string): TrustLevel {
    return resolveTrust(originHex, this.selfHex, this.lookup, this.params.defaultTrust)
  }

  private originState(originHex: string): OriginState {
    let origin = this.origins.get(originHex)
    if (origin === undefined) {
      origin = {
        originHex,
        level: this.resolve(originHex),
        contributions: 0,
        bits: 0,
        lastSeenMs: 0,
        entries: new Set(),
        folded: 0,
        credit: 0,
      }
      this.origins.set(originHex, origin)
    }
    return origin
  }

  private applyLevel(origin: OriginState): void {
    const fold = trustWeight(origin.level) > 0
    for (const entry of origin.entries) {
      if (entry.epoch.final || entry.folded === fold) continue
      if (fold) this.fold(entry)
      else this.unfold(entry)
    }
  }

  private fold(entry: Entry): void {
    entry.folded = true
    entry.epoch.folded++
    entry.epoch.foldChanged()
    this.foldedTotal++
    const c = entry.v.contribution
    if (entry.credit < 0) entry.credit = c.bitLength * mcvMinEntropyPerBit(c.bits, c.bitLength)
    entry.origin.folded++
    entry.origin.credit += entry.credit
    if (!entry.absorbed) {
      entry.absorbed = true
      this.absorb(entry.v.id)
    }
    this.poolChanged()
  }

  /** state = SHA-256(state || id), through a reused 64-byte buffer (hot path) */
  private absorb(id: Uint8Array): void {
    this.chainInput.set(id, 32)
    this.chainInput.set(hash('sha256', this.chainInput, 'buffer'))
  }

  private unfold(entry: Entry): void {
    entry.folded = false
    entry.epoch.folded--
    entry.epoch.foldChanged()
    this.foldedTotal--
    this.creditOut(entry)
    this.poolChanged()
  }

  private creditOut(entry: Entry): void {
    const origin = entry.origin
    origin.folded--
    // reset at zero so float residue of many ± does not linger
    origin.credit = origin.folded === 0 ? 0 : origin.credit - entry.credit
  }

  private poolChanged(): void {
    this.poolBitsCache = undefined
    this.poolDigestCache = undefined
  }

  private computePoolBits(): PoolBits {
    const max = this.params.poolBits
    const out = new Uint8Array(Math.ceil(max / 8))
    let n = 0
    const newestFirst = this.retainedEpochs().reverse()
    fill: for (const r of newestFirst) {
      for (const entry of (this.epochStates.get(r) as EpochState).foldedInOrder()) {
        const c = entry.v.contribution
        n = appendBits(out, n, c.bits, Math.min(c.bitLength, max - n))
        if (n === max) break fill
      }
    }
    return { bits: out.slice(0, Math.ceil(n / 8)), bitLength: n }
  }

  private statsOf(o: OriginState): OriginStats {
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
