import {
  decodeFrozenRecord,
  entryEncoded,
  entryId,
  type FrozenRecordLayout,
  toHex,
} from '@alara/protocol'
import type { AlaraComponents } from '../components.js'
import type { StoredRecord } from '../store/store.js'
import type { SignatureVerifier } from '../verify/checker.js'
import { RELOAD_BATCH, reloadBatches } from './reload.js'

/**
 * Final epochs back into the replica from their records (store/frozen-records.ts), before
 * any per-contribution value: a record whose seal checks is taken whole (one seal, no
 * per-contribution work but its draw-chain step); any other (a copied store, a new store
 * key, a record made under another maxPerEpoch, a changed byte) is opened into its
 * contributions, each verified by its signature as an unsealed stored one is, and the
 * epoch is refrozen from its final record like any other. Returns how many contributions
 * were added, and the epochs taken contribution by contribution (to write again).
 */
export async function reloadFrozenRecords(
  components: Pick<AlaraComponents, 'state' | 'store' | 'logger'>,
  oldest: number,
  verifier: SignatureVerifier,
): Promise<{ loaded: number; expanded: Set<number> }> {
  const { state, store } = components
  const log = components.logger('alara:restore')
  const expanded = new Set<number>()
  let loaded = 0
  for await (const { epoch, record, sealed } of store.frozen.from(oldest)) {
    if (sealed) {
      try {
        loaded += state.replica.loadFrozen(record, epoch)
        continue
      } catch (err) {
        log.warn(
          `store: epoch ${epoch}'s record is taken one contribution at a time (${(err as Error).message})`,
        )
      }
    }
    let layout: FrozenRecordLayout
    try {
      layout = decodeFrozenRecord(record)
    } catch (err) {
      // its contributions are lost here; the epoch, not refrozen, is caught up from members
      log.warn(`store: epoch ${epoch}'s record is unreadable (${(err as Error).message})`)
      continue
    }
    expanded.add(epoch)
    loaded += await reloadBatches(components, batchesOf(epoch, layout), verifier)
  }
  return { loaded, expanded }
}

/** A record's contributions as unsealed stored ones: each verified before it is added. */
function* batchesOf(epoch: number, layout: FrozenRecordLayout): Generator<StoredRecord[]> {
  for (let i = 0; i < layout.entryAt.length; i += RELOAD_BATCH)
    yield [...layout.entryAt.subarray(i, i + RELOAD_BATCH)].map((at) => ({
      epoch,
      idHex: toHex(entryId(layout.body, at)),
      encoded: entryEncoded(layout.body, at),
      sealed: false,
    }))
}
