import { CompactContribution } from '../compact.js'
import { epochBeacon, epochDigest } from '../epoch.js'
import { toHex } from '../signing.js'
import type { Contribution, VerifiedContribution } from '../types.js'
import { readTrustedContribution } from '../wire/trusted.js'
import {
  entryEncoded,
  entryFolded,
  entryId,
  entryOrigin,
  type FrozenRecordLayout,
  findEntry,
  originOfRecord,
} from './frozen-record.js'
import type { EpochSummary } from './state.js'

/**
 * A final epoch held as one record (frozen-record.ts) instead of one Entry per
 * contribution (docs/PROTOCOL.md, "Frozen epoch records"): its folded set never changes
 * again, so it needs no maps, no per-contribution objects and no per-contribution id
 * strings, only the record's bytes and an offset per entry (~4 bytes beside the bytes).
 * Everything the replica answers about the epoch is read from the record: ids, folded
 * set, contributions (built on demand), digest, beacon and summary (computed once, kept).
 */
export class FrozenEpoch {
  readonly final = true
  private digestCache: Uint8Array | undefined
  private storedDigestCache: Uint8Array | undefined
  private beaconCache: Uint8Array | null | undefined

  /** `originHexes`: the record's origins as hex, shared strings (the replica's). */
  constructor(
    readonly record: FrozenRecordLayout,
    readonly originHexes: readonly string[],
  ) {}

  get network(): string {
    return this.record.network
  }

  get epoch(): number {
    return this.record.epoch
  }

  /** Stored contributions. */
  get stored(): number {
    return this.record.entryAt.length
  }

  /** Folded contributions. */
  get folded(): number {
    return this.record.folded
  }

  /** The record's bytes (what the daemon stores, sealed). */
  get body(): Uint8Array {
    return this.record.body
  }

  /** Index of a stored id (32 bytes), or −1: a binary search over the sorted ids. */
  indexOf(id: Uint8Array): number {
    return findEntry(this.record, id)
  }

  /** The first 30 bits of entry i's id (the index key of frozen-epochs.ts), read in place. */
  keyAt(i: number): number {
    const { body } = this.record
    const at = this.at(i)
    return (
      ((body[at] as number) << 22) |
      ((body[at + 1] as number) << 14) |
      ((body[at + 2] as number) << 6) |
      ((body[at + 3] as number) >>> 2)
    )
  }

  /** Calls `fn(body, offset)` for each folded id in ascending order (no view made). */
  forEachFoldedId(fn: (body: Uint8Array, at: number) => void): void {
    const { body, entryAt } = this.record
    for (let i = 0; i < entryAt.length; i++) {
      const at = entryAt[i] as number
      if (entryFolded(body, at)) fn(body, at)
    }
  }

  idAt(i: number): Uint8Array {
    return entryId(this.record.body, this.at(i))
  }

  isFoldedAt(i: number): boolean {
    return entryFolded(this.record.body, this.at(i))
  }

  /** A stored contribution, built on demand over the record's bytes (not copied). */
  contributionAt(i: number): VerifiedContribution {
    const at = this.at(i)
    const { body } = this.record
    const originHex = this.originHexes[entryOrigin(body, at)] as string
    return new CompactContribution(toHex(entryId(body, at)), originHex, entryEncoded(body, at))
  }

  /** Stored contributions of one origin. */
  storedOf(originHex: string): number {
    const i = this.originHexes.indexOf(originHex)
    return i < 0 ? 0 : originOfRecord(this.record, i).stored
  }

  storedIdHexes(): string[] {
    return this.indexes(false).map((i) => toHex(this.idAt(i)))
  }

  foldedIdHexes(): string[] {
    return this.indexes(true).map((i) => toHex(this.idAt(i)))
  }

  foldedContributions(): VerifiedContribution[] {
    return this.indexes(true).map((i) => this.contributionAt(i))
  }

  /** Folded ids in ascending order (views of the record). */
  foldedIds(): Uint8Array[] {
    return this.indexes(true).map((i) => this.idAt(i))
  }

  /** Folded contributions in id order, decoded one at a time (the pool bits take a few). */
  *foldedDecoded(): Generator<Contribution> {
    const { body } = this.record
    for (const i of this.indexes(true))
      yield readTrustedContribution(entryEncoded(body, this.at(i)))
  }

  digest(): Uint8Array {
    this.digestCache ??= epochDigest(this.network, this.epoch, this.foldedIds())
    return this.digestCache
  }

  storedDigest(): Uint8Array {
    this.storedDigestCache ??= epochDigest(
      this.network,
      this.epoch,
      this.indexes(false).map((i) => this.idAt(i)),
    )
    return this.storedDigestCache
  }

  beacon(): Uint8Array | undefined {
    if (this.beaconCache === undefined)
      this.beaconCache =
        this.folded === 0
          ? null
          : epochBeacon(
              this.network,
              this.epoch,
              this.digest(),
              [...this.foldedDecoded()].map((c) => c.bits),
            )
    return this.beaconCache ?? undefined
  }

  summary(): EpochSummary {
    return {
      epoch: this.epoch,
      digest: this.digest().slice(),
      count: this.folded,
      stored: this.stored,
      storedDigest: this.storedDigest().slice(),
      final: true,
    }
  }

  private at(i: number): number {
    const at = this.record.entryAt[i]
    if (at === undefined) throw new RangeError(`no entry ${i} in frozen epoch ${this.epoch}`)
    return at
  }

  /** Entry indexes in id order: every one, or only the folded. */
  private indexes(foldedOnly: boolean): number[] {
    const out: number[] = []
    const { body, entryAt } = this.record
    for (let i = 0; i < entryAt.length; i++)
      if (!foldedOnly || entryFolded(body, entryAt[i] as number)) out.push(i)
    return out
  }
}
