import type { TrustLevel } from '../consensus.js'
import { epochBeacon, epochDigest } from '../epoch.js'
import { InvalidInputError } from '../errors.js'
import type { Contribution, VerifiedContribution } from '../types.js'

/** An origin's folded entries of one epoch. */
export interface OriginFold {
  readonly entries: Entry[]
  /** entries are in byId order */
  sorted: boolean
}

/**
 * The replica's records: one Entry per stored contribution, linked to the state of its
 * epoch (stored and folded sets, cached digest and beacon) and of its origin (trust level,
 * figures, credit). Plain data plus caches; the Replica facade keeps them consistent.
 */

export interface Entry {
  readonly v: VerifiedContribution
  readonly epoch: EpochState
  readonly origin: OriginState
  /** sort key, see byId */
  readonly key: number
  folded: boolean
  /** already absorbed into the draw chain (an id is absorbed once, ever) */
  absorbed: boolean
  /** bit_length × h, computed when first folded (−1 before) */
  credit: number
  /** folded and among its origin's maxPerEpoch smallest ids of the epoch (credit-cap.ts) */
  credited: boolean
}

export interface OriginState {
  readonly originHex: string
  level: TrustLevel
  /** contributions added since start while the origin has any in the retained window */
  contributions: number
  bits: number
  lastSeenMs: number
  /** its stored entries in the retained window's live (not final) epochs */
  readonly entries: Set<Entry>
  /** its stored contributions in the retained window's frozen epochs (frozen-epochs.ts) */
  frozenStored: number
  /** of which folded */
  folded: number
  /** of which credited: the maxPerEpoch smallest folded ids of each epoch */
  credited: number
  /** Σ credit of credited entries */
  credit: number
}

/** What a replica says about one epoch (also the sync protocol's SUMMARIES answer). */
export interface EpochSummary {
  epoch: number
  /** epoch digest over the folded ids (docs/PROTOCOL.md, "Fold and derived values") */
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

export function assertEpoch(r: number): void {
  if (!Number.isSafeInteger(r) || r < 0)
    throw new InvalidInputError(`epoch must be a non-negative integer, got ${r}`)
}

/**
 * What add() refuses outright: the replica trusts its caller for everything else. `c` and
 * `id` are `v`'s, read once by the caller (a compact entry rebuilds them on each access).
 */
export function assertAddable(
  v: VerifiedContribution,
  c: Contribution,
  id: Uint8Array,
  network: string,
  receivedMs: number | undefined,
): void {
  if (c.network !== network)
    throw new InvalidInputError(
      `contribution of network '${c.network}' given to the replica of '${network}'`,
    )
  if (id.length !== 32 || v.idHex.length !== 64)
    throw new InvalidInputError('contribution id must be 32 bytes with its 64-digit hex')
  if (receivedMs !== undefined && !Number.isFinite(receivedMs))
    throw new InvalidInputError(`receivedMs must be a finite number, got ${receivedMs}`)
  assertEpoch(c.epoch)
}

export function emptySummary(network: string, r: number, final: boolean): EpochSummary {
  const empty = epochDigest(network, r, [])
  return { epoch: r, digest: empty, count: 0, stored: 0, storedDigest: empty.slice(), final }
}

/**
 * Ascending id order. Comparing the numeric 48-bit prefix first is several times faster
 * than comparing hex strings, and ties (1 in 2^48 per pair) fall back to the full id.
 */
export const byId = (a: Entry, b: Entry): number =>
  a.key !== b.key ? a.key - b.key : a.v.idHex < b.v.idHex ? -1 : 1

/** The first 6 id bytes as an exact number (48 bits < 2^53). */
export function idKey(id: Uint8Array): number {
  let key = 0
  for (let i = 0; i < 6; i++) key = key * 256 + (id[i] as number)
  return key
}

/** One epoch's contributions and its cached derived values. */
export class EpochState {
  readonly stored = new Map<string, Entry>()
  /** stored contributions per origin hex (validation's 2 × maxPerEpoch) */
  readonly storedPerOrigin = new Map<string, number>()
  /** folded entries per origin hex, for the credit cap (credit-cap.ts) */
  readonly foldedByOrigin = new Map<string, OriginFold>()
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

  summary(): EpochSummary {
    return {
      epoch: this.epoch,
      digest: this.digest().slice(),
      count: this.folded,
      stored: this.stored.size,
      storedDigest: this.storedDigest().slice(),
      final: this.final,
    }
  }
}
