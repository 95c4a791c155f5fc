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
  /**
   * `encoded` is kept as is (not copied): hand it a buffer of its own. `originHex`: pass
   * one shared string per origin, not one per contribution.
   */
  constructor(
    readonly idHex: string,
    readonly originHex: string,
    private readonly encoded: Uint8Array,
  ) {}

  get id(): Uint8Array {
    const b = Buffer.from(this.idHex, 'hex')
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
  }

  get contribution(): Contribution {
    return readTrustedContribution(this.encoded)
  }

  /** The encoded contribution (a view of the kept bytes: do not modify). */
  get bytes(): Uint8Array {
    return this.encoded
  }
}
