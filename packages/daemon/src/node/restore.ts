import { oldestRetainedEpoch, toHex, type VerifiedVote, validateVote } from '@alara/protocol'
import type { AlaraComponents } from '../components.js'
import { VoteRefusedError } from '../errors.js'
import { splitIds } from '../store/keys.js'
import { inThreadVerifier, type SignatureVerifier } from '../verify/checker.js'
import { restoreDrawState } from './draw-state.js'
import { pruneStore } from './prune-store.js'
import { reloadContributions } from './reload.js'
import { reloadFrozenRecords } from './reload-frozen.js'

/**
 * Restart: every stored contribution, frozen epoch and vote of the retained window back
 * into the node's state, then the saved private-draw chain, before any service starts.
 * Final epochs come first, from their records (one value each); then the contributions
 * stored one per value (epochs not final yet, and final ones of a store older than
 * records, which are then rewritten as records in the background: the migration).
 */
export async function restoreState(
  components: AlaraComponents,
  verifier: SignatureVerifier = inThreadVerifier,
): Promise<void> {
  const { params, state, store, now } = components
  const log = components.logger('alara:restore')
  const replica = state.replica
  const current = state.currentEpoch(now())
  const oldest = oldestRetainedEpoch(current, params.retainEpochs)
  await pruneStore(components, current)
  // the window starts where it will be kept, so nothing scans from epoch 0 meanwhile
  state.prune(oldest)
  const startedMs = performance.now()
  const records = await reloadFrozenRecords(components, oldest, verifier)
  const single = await reloadContributions(components, oldest, verifier)
  const loaded = records.loaded + single.loaded
  const reloadMs = Math.round(performance.now() - startedMs)
  // Epochs frozen before the restart stay exactly as they were frozen (those taken back
  // from their records already are: their records were made from these very sets).
  const frozen = new Set<number>()
  for await (const { epoch, joined } of store.joinedFinalsFrom(oldest)) {
    try {
      if (!replica.isFinal(epoch)) replica.finalize(epoch, splitIds(joined).map(toHex))
      frozen.add(epoch)
    } catch (err) {
      log.warn(`store: epoch ${epoch} cannot be restored as frozen (${(err as Error).message})`)
    }
  }
  // Every epoch that ended before the start and is not frozen, whatever the phase of the
  // start (final while this node was down, closed but not frozen, or ended but not yet
  // closed), is caught up from members before it freezes (DESIGN.md "Catch-up"):
  // EpochService.freezeBackfill().
  for (let r = oldest; r < current; r++)
    if (!frozen.has(r) && !replica.isFinal(r)) state.backfill.add(r)
  // final epochs whose contributions are still stored one per value become records
  let migrating = 0
  for (const r of new Set([...single.epochs, ...records.expanded])) {
    const record = replica.frozenRecord(r)
    if (record === undefined) continue
    store.frozen.queue(r, record)
    migrating++
  }
  if (migrating > 0) {
    log.info(`rewriting ${migrating} final epochs as one record each`)
    const startedWrites = performance.now()
    store.frozen.queueCompaction()
    // (a stop before the end drops the rest: the next start queues them again)
    void store.frozen
      .idle()
      .then(() =>
        log.info(
          `rewrote ${migrating} final epochs as records in ${Math.round(performance.now() - startedWrites)} ms`,
        ),
      )
  }
  let votes = 0
  for await (const bytes of store.votesFrom(oldest)) {
    try {
      state.recordVote(checkStoredVote(components, bytes), bytes)
      votes++
    } catch {
      // a vote from an older run that no longer validates is just dropped
    }
  }
  // The epoch open at start: a node that ran before (a restart) was away for its
  // beginning, so what it holds of it is partial by construction, and on a busy machine
  // its catch-up can end after the epoch's admission deadline: it too is caught up
  // (frozen with the set a quorum voted), not closed on its own partial view. A first
  // start has no past to miss: that epoch is its own.
  if (loaded > 0 || frozen.size > 0 || votes > 0) {
    state.backfill.add(current)
    state.restartedInEpoch = current
  }
  if (loaded > 0) log.info(`reloaded ${loaded} contributions from the store in ${reloadMs} ms`)
  // after the window is back (the chain has absorbed it again), before any draw is served
  await restoreDrawState(components)
}

function checkStoredVote(components: AlaraComponents, data: Uint8Array): VerifiedVote {
  const result = validateVote(data, { params: components.params, nowMs: components.now() })
  if (result.verdict !== 'accept') throw new VoteRefusedError(result.reason, result.message)
  return result.vote
}
