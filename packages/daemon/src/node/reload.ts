import {
  CompactContribution,
  contributionSigningBytes,
  decodeContribution,
  readTrustedContribution,
  sha256,
  toHex,
} from '@alara/protocol'
import type { AlaraComponents } from '../components.js'
import type { StoredRecord } from '../store/store.js'
import { SlabCopier } from '../util/slab.js'
import type { SignatureVerifier } from '../verify/checker.js'

/**
 * The stored window back into the replica on restart, in store order. A contribution
 * whose seal checks (store-seal.ts: this node verified it before storing it) is trusted
 * as is: read without re-encoding, its id taken from its key. Any other (a store older
 * than seals, a copied store, a new store key, a changed byte) is decoded and verified by
 * Ed25519 as a received one would be, on the verify pool, and sealed again in place.
 * Replica entries keep the encoded bytes only (CompactContribution), copied into shared
 * slabs, and one origin string shared by all of an origin's entries. Returns how many
 * contributions were added, and the epochs that still have contributions stored one per
 * value (final ones among them are rewritten as records: restore.ts).
 */
export async function reloadContributions(
  components: Pick<AlaraComponents, 'state' | 'store' | 'logger'>,
  oldest: number,
  verifier: SignatureVerifier,
): Promise<{ loaded: number; epochs: Set<number> }> {
  const epochs = new Set<number>()
  const batches = components.store.contributionBatchesFrom(oldest, RELOAD_BATCH)
  const loaded = await reloadBatches(components, batches, verifier, epochs)
  return { loaded, epochs }
}

/**
 * Adds stored contributions batch by batch (see reloadContributions): sealed ones as
 * they are, the others once their signature verifies, sealed again in place. Returns how
 * many were added; `epochs` collects the epochs read.
 */
export async function reloadBatches(
  components: Pick<AlaraComponents, 'state' | 'store' | 'logger'>,
  batches: AsyncIterable<StoredRecord[]> | Iterable<StoredRecord[]>,
  verifier: SignatureVerifier,
  epochs = new Set<number>(),
): Promise<number> {
  const { state, store } = components
  const log = components.logger('alara:restore')
  const origins = new Map<string, string>()
  const originHexOf = (origin: Uint8Array): string => {
    const hex = toHex(origin)
    const known = origins.get(hex)
    if (known !== undefined) return known
    origins.set(hex, hex)
    return hex
  }
  const slabs = new SlabCopier()
  let loaded = 0
  let verified = 0
  for await (const batch of batches) {
    for (const record of batch) epochs.add(record.epoch)
    const resealed: Parameters<typeof store.resealContributions>[0] = []
    // unsealed ones are verified together on the pool, then the batch is added in order
    const unsealed = batch.some((record) => !record.sealed)
    const checked: Array<Reloaded | string | Promise<Reloaded | string>> = batch.map((record) =>
      record.sealed
        ? sealedEntry(record, originHexOf, slabs)
        : verifiedEntry(record, originHexOf, verifier, slabs),
    )
    if (unsealed) for (const [i, p] of (await Promise.all(checked)).entries()) checked[i] = p
    for (const [i, entry] of (checked as Array<Reloaded | string>).entries()) {
      if (typeof entry === 'string') {
        log.warn(`store: skipping an unreadable contribution (${entry})`)
        continue
      }
      const record = batch[i] as StoredRecord
      if (!record.sealed) {
        verified++
        resealed.push({
          idHex: entry.idHex,
          epoch: entry.epoch,
          encoded: record.encoded,
          stale: { epoch: record.epoch, idHex: record.idHex },
        })
      }
      try {
        if (state.replica.add(entry.v) === 'added') loaded++
      } catch (err) {
        log.warn(`store: skipping a contribution the replica refuses (${(err as Error).message})`)
      }
    }
    await store
      .resealContributions(resealed)
      .catch((err: Error) =>
        log.warn(`store: sealing verified contributions failed: ${err.message}`),
      )
  }
  if (verified > 0)
    log.info(`verified ${verified} unsealed stored contributions by signature and sealed them`)
  return loaded
}

/** Read at once from the store; also the most unsealed checks queued on the pool at once. */
export const RELOAD_BATCH = 2048

interface Reloaded {
  v: CompactContribution
  idHex: string
  epoch: number
}

function sealedEntry(
  record: StoredRecord,
  originHexOf: (origin: Uint8Array) => string,
  slabs: SlabCopier,
): Reloaded | string {
  try {
    const c = readTrustedContribution(record.encoded)
    const encoded = slabs.copy(record.encoded)
    const v = new CompactContribution(record.idHex, originHexOf(c.origin), encoded, c)
    return { v, idHex: record.idHex, epoch: c.epoch }
  } catch (err) {
    return (err as Error).message
  }
}

async function verifiedEntry(
  record: StoredRecord,
  originHexOf: (origin: Uint8Array) => string,
  verifier: SignatureVerifier,
  slabs: SlabCopier,
): Promise<Reloaded | string> {
  try {
    const c = decodeContribution(record.encoded)
    const message = contributionSigningBytes(c)
    const check = { origin: c.origin, message, signature: c.signature }
    if (!(await verifier.verify(check))) return 'its signature does not verify'
    const idHex = toHex(sha256(message))
    // decodeContribution accepts only canonical bytes: these are the contribution's own
    const v = new CompactContribution(idHex, originHexOf(c.origin), slabs.copy(record.encoded), c)
    return { v, idHex, epoch: c.epoch }
  } catch (err) {
    return (err as Error).message
  }
}
