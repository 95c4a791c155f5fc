import { epochDigest } from '../epoch.js'
import { InvalidInputError } from '../errors.js'
import { toHex } from '../signing.js'

/**
 * One epoch's after-close admission state at one node (DESIGN.md, "Admission after
 * close"): the members' votes of the epoch, the ids behind their digests once checked
 * against them, and from both the vouchers an item has. Pure and bounded: no clock, no
 * I/O; membership is asked of the caller at each question (`isCounted`), since trust can
 * change while the epoch is still admitting.
 *
 * - Every distinct vote of a member is kept and vouches for what it covers: an honest set
 *   only grows, so a later vote that drops an item withdraws nothing. Votes are distinct
 *   by digest (two votes of one member with one digest vouch for the same items; the
 *   first one's bytes are kept as evidence).
 * - Ids are kept only for digests some vote in the book names (add the vote first), so
 *   only members the caller chose to record can make it grow; at most `maxDigests`
 *   digests and `maxVotesPerOrigin` per origin.
 * - An item → digests index keeps vouchers() proportional to the digests covering the
 *   item, not to the epoch's size.
 */

export interface AdmissionBookOptions {
  network: string
  epoch: number
  /** origin hex of this node: never its own voucher */
  selfHex: string
  /** distinct votes kept per origin (DESIGN.md's re-vote bound); default 32 */
  maxVotesPerOrigin?: number
  /** distinct digests kept in all; default 256 */
  maxDigests?: number
}

export type AddVoteResult = 'new' | 'known' | 'full'

/** A voucher's vote and the ids behind its digest: what a re-vote's evidence carries. */
export interface VoucherEvidence {
  /** the voucher's vote, encoded without evidence of its own */
  vote: Uint8Array
  /** the voucher's origin hex */
  originHex: string
  /** the ids behind its digest, ascending (lowercase hex) */
  ids: string[]
}

/** A digest counted members voted whose ids this node does not know: repair asks for them. */
export interface MissingIds {
  digestHex: string
  /** the count the (first) vote gave */
  count: number
  /** counted members that voted it, ascending: whom to ask (anyone holding them may answer) */
  voters: string[]
}

export type IsCounted = (originHex: string) => boolean

interface DigestRecord {
  count: number
  /** voter origin hex → that voter's vote with this digest (encoded, no evidence) */
  readonly voters: Map<string, Uint8Array>
  /** ascending ids once known and checked against the digest */
  ids: string[] | undefined
}

const HEX_ID = /^[0-9a-f]{64}$/

export class AdmissionBook {
  readonly network: string
  readonly epoch: number
  readonly selfHex: string
  private readonly maxVotesPerOrigin: number
  private readonly maxDigests: number
  private readonly digests = new Map<string, DigestRecord>()
  /** origin hex → digests it voted, in arrival order */
  private readonly byOrigin = new Map<string, string[]>()
  /** item id hex → digests whose known ids contain it */
  private readonly byItem = new Map<string, string[]>()

  constructor(options: AdmissionBookOptions) {
    this.network = options.network
    this.epoch = options.epoch
    this.selfHex = options.selfHex
    this.maxVotesPerOrigin = options.maxVotesPerOrigin ?? 32
    this.maxDigests = options.maxDigests ?? 256
    for (const [name, value] of [
      ['maxVotesPerOrigin', this.maxVotesPerOrigin],
      ['maxDigests', this.maxDigests],
    ] as const)
      if (!Number.isSafeInteger(value) || value < 1)
        throw new InvalidInputError(`${name} must be a positive integer, got ${value}`)
  }

  /**
   * Records a member's vote of this epoch (validated by the caller; `encoded` without
   * evidence, as evidence carries it). 'known': this member already voted this digest;
   * 'full': a bound is reached and nothing changed.
   */
  addVote(originHex: string, digestHex: string, count: number, encoded: Uint8Array): AddVoteResult {
    const mine = this.byOrigin.get(originHex) ?? []
    if (mine.includes(digestHex)) return 'known'
    if (mine.length >= this.maxVotesPerOrigin) return 'full'
    let record = this.digests.get(digestHex)
    if (record === undefined) {
      if (this.digests.size >= this.maxDigests) return 'full'
      record = { count, voters: new Map(), ids: undefined }
      this.digests.set(digestHex, record)
    }
    record.voters.set(originHex, encoded)
    mine.push(digestHex)
    this.byOrigin.set(originHex, mine)
    return 'new'
  }

  /**
   * Records the ids behind a digest a vote in the book names, when they hash to it
   * (epochDigest of this network and epoch); false otherwise, and nothing changes.
   * `idHexes` in any order (lowercase hex).
   */
  addIds(digestHex: string, idHexes: readonly string[]): boolean {
    const record = this.digests.get(digestHex)
    if (record === undefined) return false
    if (record.ids !== undefined) return sameSet(record.ids, idHexes)
    if (!idHexes.every((id) => HEX_ID.test(id))) return false
    const bytes = idHexes.map((id) => Buffer.from(id, 'hex'))
    if (toHex(epochDigest(this.network, this.epoch, bytes)) !== digestHex) return false
    const ids = [...new Set(idHexes)].sort()
    record.ids = ids
    for (const id of ids) {
      const list = this.byItem.get(id)
      if (list === undefined) this.byItem.set(id, [digestHex])
      else list.push(digestHex)
    }
    return true
  }

  /** The ids behind a digest, ascending, once known. */
  idsOf(digestHex: string): readonly string[] | undefined {
    return this.digests.get(digestHex)?.ids
  }

  /**
   * Distinct counted members other than this node with some vote whose digest's ids are
   * known and contain the item, ascending.
   */
  vouchers(itemIdHex: string, isCounted: IsCounted): string[] {
    const out = new Set<string>()
    for (const digestHex of this.byItem.get(itemIdHex) ?? [])
      for (const origin of (this.digests.get(digestHex) as DigestRecord).voters.keys())
        if (origin !== this.selfHex && isCounted(origin)) out.add(origin)
    return [...out].sort()
  }

  /** Round k (≥ 1) admits an item with vouchers from at least k members (DESIGN.md). */
  admits(itemIdHex: string, round: number, isCounted: IsCounted): boolean {
    if (!Number.isSafeInteger(round) || round < 1)
      throw new InvalidInputError(`round must be an integer ≥ 1, got ${round}`)
    // stops at the round's count: most items are covered by most digests
    const seen = new Set<string>()
    for (const digestHex of this.byItem.get(itemIdHex) ?? [])
      for (const origin of (this.digests.get(digestHex) as DigestRecord).voters.keys())
        if (origin !== this.selfHex && !seen.has(origin) && isCounted(origin)) {
          seen.add(origin)
          if (seen.size >= round) return true
        }
    return false
  }

  /**
   * k of the item's vouchers (the first k by origin; fewer when it has fewer), each with
   * its earliest recorded vote covering the item and the ids behind it: the evidence of
   * a re-vote that admitted the item in round k.
   */
  evidenceFor(itemIdHex: string, k: number, isCounted: IsCounted): VoucherEvidence[] {
    const out: VoucherEvidence[] = []
    const covering = this.byItem.get(itemIdHex) ?? []
    for (const originHex of this.vouchers(itemIdHex, isCounted).slice(0, Math.max(0, k))) {
      const digests = this.byOrigin.get(originHex) as string[]
      const digestHex = digests.find((d) => covering.includes(d)) as string
      const record = this.digests.get(digestHex) as DigestRecord
      out.push({
        vote: record.voters.get(originHex) as Uint8Array,
        originHex,
        ids: [...(record.ids as string[])],
      })
    }
    return out
  }

  /** Digests voted by counted members (other than this node) whose ids are not known yet. */
  missingIds(isCounted: IsCounted = () => true): MissingIds[] {
    const out: MissingIds[] = []
    for (const [digestHex, record] of this.digests) {
      if (record.ids !== undefined) continue
      const voters = [...record.voters.keys()]
        .filter((o) => o !== this.selfHex && isCounted(o))
        .sort()
      if (voters.length > 0) out.push({ digestHex, count: record.count, voters })
    }
    return out
  }

  /** Every vote kept (encoded without evidence), by origin then arrival: what sync relays. */
  *votes(): Generator<{ originHex: string; digestHex: string; encoded: Uint8Array }> {
    for (const [originHex, digests] of this.byOrigin)
      for (const digestHex of digests) {
        const encoded = this.digests.get(digestHex)?.voters.get(originHex)
        if (encoded !== undefined) yield { originHex, digestHex, encoded }
      }
  }

  /** Distinct digests recorded (the maxDigests bound). */
  get digestCount(): number {
    return this.digests.size
  }
}

function sameSet(sorted: readonly string[], ids: readonly string[]): boolean {
  const given = new Set(ids)
  return given.size === sorted.length && sorted.every((id) => given.has(id))
}
