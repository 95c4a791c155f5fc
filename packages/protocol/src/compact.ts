import type { Contribution, VerifiedContribution } from './types.js'
import { readTrustedContribution } from './wire/trusted.js'

/**
 * A verified contribution kept as its encoded bytes: what a replica holds for each of the
 * many contributions of its window costs a few hundred bytes instead of the decoded
 * object's ~1.5 KB. `contribution` and `id` are rebuilt on each access (readTrustedContribution
 * and the id hex), so give it only bytes that were decoded and verified before, and keep
 * hot loops on `idHex` and `originHex`.
 */
export class CompactContribution implements VerifiedContribution {
  // the bytes as (buffer, offset, length), not a view object: ~50 bytes less per entry
  private readonly buffer: ArrayBufferLike
  private readonly offset: number
  private readonly length: number
  /** handed out by the first `contribution` access, then dropped */
  private decoded: Contribution | undefined

  /**
   * `encoded` is kept as is (not copied): hand it bytes of their own (or of a shared slab
   * nobody writes). `originHex`: pass one shared string per origin, not one per
   * contribution. `decoded`: the contribution, when the caller has just decoded it, for
   * the first access (the replica's add) to use instead of reading the bytes again.
   */
  constructor(
    readonly idHex: string,
    readonly originHex: string,
    encoded: Uint8Array,
    decoded?: Contribution,
  ) {
    this.buffer = encoded.buffer
    this.offset = encoded.byteOffset
    this.length = encoded.byteLength
    this.decoded = decoded
  }

  get id(): Uint8Array {
    const b = Buffer.from(this.idHex, 'hex')
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
  }

  get contribution(): Contribution {
    const decoded = this.decoded
    if (decoded === undefined) return readTrustedContribution(this.bytes)
    this.decoded = undefined
    return decoded
  }

  /** The encoded contribution (a view of the kept bytes: do not modify). */
  get bytes(): Uint8Array {
    return new Uint8Array(this.buffer, this.offset, this.length)
  }
}
