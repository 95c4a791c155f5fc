import { oldestRetainedEpoch } from '@alara/protocol'
import type { AlaraComponents } from '../components.js'

/**
 * The store keeps `storeEpochs` (more than the replica's window): final epochs older
 * than the replica's window stay verifiable from disk (`alara beacon R --verify`).
 */
export async function pruneStore(components: AlaraComponents, current: number): Promise<void> {
  const { config, params, store } = components
  const oldest = oldestRetainedEpoch(current, Math.max(config.storeEpochs, params.retainEpochs))
  await store.pruneContributionsBefore(oldest)
  await store.pruneVotesBefore(oldest)
  await store.pruneFinalsBefore(oldest)
  await store.beacon.pruneBefore(oldest)
}
