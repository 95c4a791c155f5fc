import { type ProtocolParams, READY_CREDIT_BITS } from '../config.js'
import {
  assertTrustLevel,
  resolveTrust,
  type TrustLevel,
  type TrustLookup,
  trustWeight,
} from '../consensus.js'
import { InvalidInputError } from '../errors.js'
import type { Contribution, VerifiedContribution } from '../types.js'
import { DrawChain, type DrawState } from './draw-chain.js'
import type { FrozenEpoch } from './frozen-epoch.js'
import { applyFrozen, frozenEpochOf, recordOfEpoch } from './frozen-epochs.js'
import { HeldEpochs } from './held.js'
import {
  dropFolded,
  markFolded,
  markUnfolded,
  newOrigin,
  type OriginStats,
  statsOf,
  totalCredit,
} from './origins.js'
import { type PoolBits, PoolView } from './pool-view.js'
import {
  assertAddable,
  assertEpoch,
  type Entry,
  EpochState,
  idKey,
  type OriginState,
} from './state.js'

export type { DrawState } from './draw-chain.js'
export * from './frozen-record.js'
export type { OriginStats } from './origins.js'
export type { PoolBits } from './pool-view.js'
export type { EpochSummary } from './state.js'

/**
 * A node's replica of the global entropy pool (docs/PROTOCOL.md, "Fold and derived
 * values" and "Draws").
 *
 * - Stored: every valid contribution of the retained window, keyed by id hex. The replica
 *   trusts its caller: signatures, health tests and epoch/timestamp checks happen before
 *   add(). Durable storage is the daemon's: it persists what add() reports as 'added'
 *   and, on restart, add()s the stored window back, then finalize(r, ids) for the epochs
 *   it had frozen.
 * - Folded: a stored contribution is folded iff its origin's trust > 0 and the origin is
 *   active. Levels come from the trust lookup (self 1, unlisted peers defaultTrust) and
 *   are cached per origin; setTrust() re-folds every epoch that is not final.
 * - Names say which set they count: `stored…` (every stored contribution) or `folded…`
 *   (those folded); `…Of(r)` per epoch, `…Total` over the replica.
 * - Derived values (digest, beacon, pool bits, pool digest, and credit: an origin's
 *   maxPerEpoch smallest folded ids of each epoch, credit-cap.ts) are pure functions of
 *   the folded set, cached and invalidated on change, so add() stays O(1) amortised.
 * - Finality: finalize(r) freezes epoch r's folded set, hence its digest and beacon;
 *   later adds for r return 'final'. Epochs below the prune floor count as final too. A
 *   final epoch is then held as one record (frozen-epochs.ts), which the daemon also
 *   stores (frozenRecord) and hands back on restart (loadFrozen) instead of its entries.
 * - Origin figures count contributions since start while the origin has any in the
 *   retained window; prune forgets origins left with none (bounded memory).
 */
export type AddResult = 'added' | 'duplicate' | 'final'

export interface ReplicaOptions {
  params: ProtocolParams
  /** origin hex of this node: always trust 1 */
  selfHex: string
  /** the trust store; unlisted peers get params.defaultTrust */
  trustOf?: TrustLookup
}

export class Replica extends HeldEpochs {
  readonly selfHex: string
  private readonly lookup: TrustLookup | undefined
  private readonly origins = new Map<string, OriginState>()
  private readonly chain = new DrawChain()
  private readonly pool: PoolView

  constructor(options: ReplicaOptions) {
    super(options.params)
    this.selfHex = options.selfHex
    this.lookup = options.trustOf
    this.pool = new PoolView(options.params.poolBits)
  }

  // ---- stored contributions ---------------------------------------------------------------

  /**
   * Stores a verified contribution and folds it if its origin is trusted. 'duplicate':
   * already stored; 'final': its epoch is frozen (or pruned), nothing changed.
   * `receivedMs` feeds the origin's lastSeenMs (default: the contribution's timestamp).
   */
  add(v: VerifiedContribution, receivedMs?: number): AddResult {
    const [c, id] = [v.contribution, v.id]
    assertAddable(v, c, id, this.params.network, receivedMs)
    if (this.has(v.idHex)) return 'duplicate'
    const r = c.epoch
    if (r < this.floor || this.frozen.has(r)) return 'final'
    const epoch = this.epochs.get(r) ?? this.createEpoch(r)

    const origin = this.originState(v.originHex)
    const entry: Entry = {
      v,
      epoch,
      origin,
      key: idKey(id),
      folded: false,
      absorbed: false,
      credit: -1,
      credited: false,
    }
    this.entries.set(v.idHex, entry)
    epoch.stored.set(v.idHex, entry)
    epoch.storedPerOrigin.set(v.originHex, (epoch.storedPerOrigin.get(v.originHex) ?? 0) + 1)
    epoch.storedChanged()
    origin.entries.add(entry)
    origin.contributions++
    origin.bits += c.bitLength
    origin.lastSeenMs = Math.max(origin.lastSeenMs, receivedMs ?? c.timestampMs)
    if (trustWeight(origin.level) > 0) this.fold(entry, c, id)
    return 'added'
  }

  /** Pool bits (see pool-view.ts), truncated to `limit` when given. */
  poolBits(limit?: number): PoolBits {
    return this.pool.bits(
      () =>
        this.epochsAscending()
          .reverse()
          .map((r) => this.epochOf(r) as EpochState | FrozenEpoch),
      limit,
    )
  }

  /** SHA-256 over the sorted ids of all retained folded contributions. */
  poolDigest(): Uint8Array {
    return this.pool.digest(() => [...this.epochs.values(), ...this.frozen.byEpoch.values()])
  }

  // ---- origins and trust -------------------------------------------------------------------

  originStats(originHex: string): OriginStats | undefined {
    const o = this.origins.get(originHex)
    return o === undefined || o.contributions === 0 ? undefined : statsOf(o)
  }

  /** Figures of every origin with contributions, by origin hex. */
  allOriginStats(): OriginStats[] {
    return [...this.origins.values()]
      .filter((o) => o.contributions > 0)
      .sort((a, b) => (a.originHex < b.originHex ? -1 : 1))
      .map(statsOf)
  }

  /** The trust store's new level for `originHex` (keep the lookup in step): re-folds it. */
  setTrust(originHex: string, level: TrustLevel): void {
    if (originHex === this.selfHex)
      throw new InvalidInputError('the node itself always has trust 1')
    assertTrustLevel(level, originHex)
    const origin = this.originState(originHex)
    origin.level = { trust: level.trust, active: level.active }
    const fold = trustWeight(origin.level) > 0
    for (const entry of origin.entries) {
      if (entry.epoch.final || entry.folded === fold) continue
      if (fold) this.fold(entry)
      else this.unfold(entry)
    }
  }

  /** Credited entropy in bits (docs/PROTOCOL.md, "Fold and derived values"). */
  get creditBits(): number {
    return totalCredit(this.origins.values())
  }

  /** Credited entropy has reached READY_CREDIT_BITS: private draws are allowed. */
  get ready(): boolean {
    return this.creditBits >= READY_CREDIT_BITS
  }

  // ---- epochs -----------------------------------------------------------------------------

  /**
   * Freezes epoch r: its folded set, digest and beacon never change again and later adds
   * are refused. `foldedIds` restores a set frozen before a restart (add the stored
   * contributions first): those stored ids become exactly the folded set, whatever today's
   * trust. Idempotent; an empty epoch is frozen too.
   */
  finalize(r: number, foldedIds?: Iterable<string>): void {
    assertEpoch(r)
    if (r < this.floor) return
    const want = foldedIds === undefined ? undefined : new Set(foldedIds)
    const frozen = this.frozen.get(r)
    if (frozen !== undefined) {
      if (want === undefined) return
      if (want.size !== frozen.folded || frozen.foldedIdHexes().some((id) => !want.has(id)))
        throw new InvalidInputError(`epoch ${r} is already final with another folded set`)
      return
    }
    for (const id of want ?? [])
      if (this.entries.get(id)?.epoch.epoch !== r)
        throw new InvalidInputError(`cannot freeze epoch ${r} with ${id}: not stored in it`)
    const epoch = this.epochs.get(r) ?? this.createEpoch(r)
    if (want !== undefined) {
      for (const entry of epoch.stored.values()) {
        const fold = want.has(entry.v.idHex)
        if (fold && !entry.folded) this.fold(entry)
        else if (!fold && entry.folded) this.unfold(entry)
      }
    }
    epoch.final = true
    this.freezeLive(epoch)
  }

  /**
   * A final epoch's record (frozen-record.ts), for the daemon to store in place of its
   * contributions; undefined unless r is final and held with contributions.
   */
  frozenRecord(r: number): Uint8Array | undefined {
    const frozen = this.frozen.get(r)
    return frozen === undefined || frozen.stored === 0 ? undefined : frozen.body
  }

  /**
   * Takes back a final epoch from its record (a restart), as adding its contributions and
   * finalize(r, its folded ids) would, its folded ids absorbed into the draw chain in id
   * order. Returns the contributions it holds (0 for an epoch below the prune floor);
   * `expectEpoch`: the epoch the caller read it under (refused if it is another).
   * Throws InvalidInputError/DecodeError for a record it cannot take (another network or
   * maxPerEpoch, an epoch already held, malformed bytes): the caller adds its
   * contributions one by one instead.
   */
  loadFrozen(body: Uint8Array, expectEpoch?: number): number {
    const origin = (hex: string) => this.originState(hex)
    const expect = { network: this.params.network, cap: this.params.maxPerEpoch }
    const epoch = frozenEpochOf(body, expect, origin)
    const r = epoch.epoch
    if (expectEpoch !== undefined && r !== expectEpoch)
      throw new InvalidInputError(`a record of epoch ${r} where ${expectEpoch} was expected`)
    if (r < this.floor) return 0
    if (this.epochs.has(r) || this.frozen.has(r))
      throw new InvalidInputError(`epoch ${r} is already held: its record is not loaded`)
    this.frozen.add(epoch)
    applyFrozen(epoch, 1, origin)
    this.folded += epoch.folded
    epoch.forEachFoldedId((body, at) => this.chain.absorbAt(body, at))
    this.epochOrder = undefined
    this.pool.changed()
    return epoch.stored
  }

  /**
   * Drops epochs before `oldestRetainedEpoch` from memory (they count as final from then
   * on). Returns how many contributions went.
   */
  prune(oldestRetainedEpoch: number): number {
    assertEpoch(oldestRetainedEpoch)
    if (oldestRetainedEpoch <= this.floor) return 0
    let dropped = 0
    for (const [r, epoch] of this.epochs) {
      if (r >= oldestRetainedEpoch) continue
      for (const entry of epoch.stored.values()) {
        this.entries.delete(entry.v.idHex)
        if (entry.folded) {
          this.folded--
          dropFolded(entry)
        }
        entry.origin.entries.delete(entry)
        dropped++
      }
      this.epochs.delete(r)
    }
    for (const r of [...this.frozen.byEpoch.keys()]) {
      if (r >= oldestRetainedEpoch) continue
      const epoch = this.frozen.delete(r) as FrozenEpoch
      applyFrozen(epoch, -1, (hex) => this.originState(hex))
      this.folded -= epoch.folded
      dropped += epoch.stored
    }
    this.floor = oldestRetainedEpoch
    for (const [hex, origin] of this.origins)
      if (origin.entries.size === 0 && origin.frozenStored === 0) this.origins.delete(hex)
    this.epochOrder = undefined
    this.pool.changed()
    return dropped
  }

  // ---- private draws ----------------------------------------------------------------------

  /** The draw chain to save after every private draw and on shutdown (draw-chain.ts). */
  drawState(): DrawState {
    return this.chain.state()
  }

  /** Mixes a saved draw state back in; call it once the stored window is added back. */
  restoreDrawState(saved: DrawState): void {
    this.chain.restore(saved)
  }

  /** Private draw (draws.ts); ERR_NOT_READY before ready unless allowLowEntropy. */
  privateDraw(
    osRandom: Uint8Array,
    length: number,
    options: { allowLowEntropy?: boolean } = {},
  ): Uint8Array {
    return this.chain.draw({
      network: this.params.network,
      osRandom,
      length,
      creditBits: this.creditBits,
      allowLowEntropy: options.allowLowEntropy ?? false,
    })
  }

  // ---- internals --------------------------------------------------------------------------

  /** A live epoch just made final becomes one record; its origins keep their figures. */
  private freezeLive(epoch: EpochState): void {
    const body = recordOfEpoch(epoch, this.params.maxPerEpoch)
    const expect = { network: this.params.network, cap: this.params.maxPerEpoch }
    const frozen = frozenEpochOf(body, expect, (hex) => this.originState(hex))
    for (const entry of epoch.stored.values()) {
      this.entries.delete(entry.v.idHex)
      entry.origin.entries.delete(entry)
      entry.origin.frozenStored++
    }
    this.epochs.delete(epoch.epoch)
    this.frozen.add(frozen)
  }

  private createEpoch(r: number): EpochState {
    const epoch = new EpochState(this.params.network, r)
    this.epochs.set(r, epoch)
    this.epochOrder = undefined
    return epoch
  }

  private originState(originHex: string): OriginState {
    let origin = this.origins.get(originHex)
    if (origin === undefined) {
      const level = resolveTrust(originHex, this.selfHex, this.lookup, this.params.defaultTrust)
      origin = newOrigin(originHex, level)
      this.origins.set(originHex, origin)
    }
    return origin
  }

  private fold(entry: Entry, c?: Contribution, id?: Uint8Array): void {
    markFolded(entry, this.params.maxPerEpoch, c)
    this.folded++
    if (!entry.absorbed) {
      entry.absorbed = true
      this.chain.absorb(id ?? entry.v.id)
    }
    this.pool.changed()
  }

  private unfold(entry: Entry): void {
    markUnfolded(entry, this.params.maxPerEpoch)
    this.folded--
    this.pool.changed()
  }
}
