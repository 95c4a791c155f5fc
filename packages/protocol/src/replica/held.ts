import type { ProtocolParams } from '../config.js'
import { epochDigest } from '../epoch.js'
import type { VerifiedContribution } from '../types.js'
import type { FrozenEpoch } from './frozen-epoch.js'
import { FrozenEpochs } from './frozen-epochs.js'
import { type Entry, type EpochState, type EpochSummary, emptySummary } from './state.js'

/**
 * What the replica holds, and every read of it by id or epoch: the live epochs (not final
 * yet: one Entry per stored contribution, state.ts) and the final ones (one record each,
 * frozen-epochs.ts), answered alike. The Replica (index.ts) extends it with the writes:
 * add, fold, finalize, load, prune.
 */
export abstract class HeldEpochs {
  /** live stored contributions by id hex */
  protected readonly entries = new Map<string, Entry>()
  /** live epochs: not final yet */
  protected readonly epochs = new Map<number, EpochState>()
  protected readonly frozen = new FrozenEpochs()
  /** epochs below it were pruned and count as final */
  protected floor = 0
  protected folded = 0
  protected epochOrder: number[] | undefined

  constructor(readonly params: ProtocolParams) {}

  has(idHex: string): boolean {
    return this.entries.has(idHex) || this.frozen.find(idHex) !== undefined
  }

  /** Whether a stored contribution is folded (its origin trusted): what the node reports. */
  isFolded(idHex: string): boolean {
    const entry = this.entries.get(idHex)
    if (entry !== undefined) return entry.folded
    const at = this.frozen.find(idHex)
    return at?.epoch.isFoldedAt(at.i) === true
  }

  get(idHex: string): VerifiedContribution | undefined {
    const entry = this.entries.get(idHex)
    if (entry !== undefined) return entry.v
    const at = this.frozen.find(idHex)
    return at?.epoch.contributionAt(at.i)
  }

  /** The given id hexes (lowercase) that are not stored, each once, in the given order. */
  missingFrom(ids: Iterable<string>): string[] {
    const missing = new Set<string>()
    for (const id of ids) if (!this.has(id)) missing.add(id)
    return [...missing]
  }

  /** Stored ids of epoch r, ascending (what a peer asks for during repair). */
  storedIdsOf(r: number): string[] {
    const frozen = this.frozen.get(r)
    if (frozen !== undefined) return frozen.storedIdHexes()
    return (this.epochs.get(r)?.storedInOrder() ?? []).map((e) => e.v.idHex)
  }

  /** Stored contributions of `originHex` in epoch r (validation's 2 × maxPerEpoch). */
  storedCountOf(originHex: string, r: number): number {
    const frozen = this.frozen.get(r)
    if (frozen !== undefined) return frozen.storedOf(originHex)
    return this.epochs.get(r)?.storedPerOrigin.get(originHex) ?? 0
  }

  /** Stored contributions over the retained window. */
  get storedTotal(): number {
    return this.entries.size + this.frozen.stored
  }

  // ---- folded contributions and derived values --------------------------------------------

  /** Folded ids of epoch r, ascending: the ids behind digest(r) and beacon(r). */
  foldedIdsOf(r: number): string[] {
    const frozen = this.frozen.get(r)
    if (frozen !== undefined) return frozen.foldedIdHexes()
    return (this.epochs.get(r)?.foldedInOrder() ?? []).map((e) => e.v.idHex)
  }

  /** Folded contributions of epoch r in id order (to recompute and verify the beacon). */
  foldedOf(r: number): VerifiedContribution[] {
    const frozen = this.frozen.get(r)
    if (frozen !== undefined) return frozen.foldedContributions()
    return (this.epochs.get(r)?.foldedInOrder() ?? []).map((e) => e.v)
  }

  /** Folded contributions of epoch r (the count a vote carries). */
  foldedCount(r: number): number {
    return this.epochOf(r)?.folded ?? 0
  }

  /** Folded contributions over the retained window. */
  get foldedTotal(): number {
    return this.folded
  }

  /** Epoch digest of r over its folded ids (that of the empty set when nothing is folded). */
  digest(r: number): Uint8Array {
    const epoch = this.epochOf(r)
    return (epoch?.digest() ?? epochDigest(this.params.network, r, [])).slice()
  }

  /** Beacon of r; undefined when no contribution of r is folded. */
  beacon(r: number): Uint8Array | undefined {
    return this.epochOf(r)?.beacon()?.slice()
  }

  summary(r: number): EpochSummary {
    return this.epochOf(r)?.summary() ?? emptySummary(this.params.network, r, this.isFinal(r))
  }

  /** Summaries of every retained epoch the replica holds (contributions or finality), ascending. */
  summaries(): EpochSummary[] {
    return this.epochsAscending().map((r) => this.summary(r))
  }

  isFinal(r: number): boolean {
    return r < this.floor || this.frozen.has(r)
  }

  /** Oldest epoch still accepted (epochs below were pruned). */
  get oldestRetainedEpoch(): number {
    return this.floor
  }
  protected epochsAscending(): number[] {
    this.epochOrder ??= [...this.epochs.keys(), ...this.frozen.byEpoch.keys()].sort((a, b) => a - b)
    return [...this.epochOrder]
  }

  protected epochOf(r: number): EpochState | FrozenEpoch | undefined {
    return this.epochs.get(r) ?? this.frozen.get(r)
  }
}
