import {
  AlaraError,
  decodeContribution,
  epochBeacon,
  epochDigest,
  lastFinalEpoch,
  type ProtocolParams,
  toHex,
  verifyContribution,
} from '@alara/protocol'
import { NotFoundError } from '../errors.js'
import type { AlaraStore } from '../store/store.js'

/**
 * The read side of the public beacon API: final epochs only, as anyone may check them.
 * The frozen folded ids and the signed contributions are read back from the store (the
 * record every final epoch leaves, within the store's window), each decoded and verified
 * again, the digest and the beacon recomputed: a node never publishes what it could not
 * prove. Final epochs never change, so verified answers are kept in a small cache.
 */

export interface PublicBeacon {
  epoch: number
  /** lowercase hex */
  beacon: string
  digest: string
  count: number
  /** the signed contributions as encoded on the wire (protobuf), hex, in ascending id order */
  contributions: string[]
}

export interface PublicBeaconDeps {
  params: Pick<ProtocolParams, 'network' | 'epochMs' | 'graceMs' | 'finalMs'>
  store: Pick<AlaraStore, 'getFinal' | 'getContribution' | 'newestFinalWithIds'>
  now(): number
}

const CACHE_EPOCHS = 32

export class PublicBeacons {
  private readonly cache = new Map<number, PublicBeacon>()

  constructor(private readonly deps: PublicBeaconDeps) {}

  /** Newest final epoch at this moment, if any. */
  lastFinal(): number | undefined {
    return lastFinalEpoch(this.deps.now(), this.deps.params)
  }

  /** The final epoch r; NotFoundError when it is not final, not held or empty. */
  async get(r: number): Promise<PublicBeacon> {
    const last = this.lastFinal()
    if (last === undefined || r > last)
      throw new NotFoundError(
        `epoch ${r} is not final yet (the newest final epoch is ${last ?? 'none'})`,
      )
    const hit = this.cache.get(r)
    if (hit !== undefined) return hit
    const ids = await this.deps.store.getFinal(r)
    if (ids === undefined)
      throw new NotFoundError(
        `epoch ${r} is not held here: older than the store's window, or nothing was folded`,
      )
    if (ids.length === 0)
      throw new NotFoundError(`epoch ${r} has no folded contributions, so no beacon`)
    const out = await this.prove(r, ids.map(toHex).sort())
    this.cache.set(r, out)
    if (this.cache.size > CACHE_EPOCHS) this.cache.delete(Math.min(...this.cache.keys()))
    return out
  }

  /** The newest final epoch that has a beacon. */
  async latest(): Promise<PublicBeacon> {
    const last = this.lastFinal()
    const r = last === undefined ? undefined : await this.deps.store.newestFinalWithIds(last)
    if (r !== undefined) return this.get(r)
    throw new NotFoundError('no final epoch with folded contributions yet, so no beacon')
  }

  /** The final epoch covering unix time `timeMs`. */
  async at(timeMs: number): Promise<PublicBeacon> {
    return this.get(Math.floor(timeMs / this.deps.params.epochMs))
  }

  private async prove(r: number, idHexes: string[]): Promise<PublicBeacon> {
    const network = this.deps.params.network
    const ids: Uint8Array[] = []
    const bits: Uint8Array[] = []
    const contributions: string[] = []
    for (const idHex of idHexes) {
      const bytes = await this.deps.store.getContribution(r, idHex)
      if (bytes === undefined)
        throw new AlaraError(
          'ERR_CORRUPT_STORE',
          `contribution ${idHex} of final epoch ${r} is not stored`,
        )
      const v = verifyContribution(decodeContribution(bytes))
      if (v.idHex !== idHex || v.contribution.epoch !== r || v.contribution.network !== network)
        throw new AlaraError(
          'ERR_CORRUPT_STORE',
          `stored contribution ${idHex} is not what it claims`,
        )
      ids.push(v.id)
      bits.push(v.contribution.bits)
      contributions.push(toHex(bytes))
    }
    const digest = epochDigest(network, r, ids)
    return {
      epoch: r,
      beacon: toHex(epochBeacon(network, r, digest, bits)),
      digest: toHex(digest),
      count: ids.length,
      contributions,
    }
  }
}
