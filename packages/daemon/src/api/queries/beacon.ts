import { randomBytes } from 'node:crypto'
import {
  decodeContribution,
  epochBeacon,
  epochDigest,
  fromHex,
  sharedDraw,
  toHex,
  type VerifiedContribution,
  verifyContribution,
} from '@alara/protocol'
import { storedEpochBeacon } from '../../beacon/beacon-restore.js'
import type { AlaraComponents } from '../../components.js'
import { CorruptStoreError, NotFoundError, NotReadyError } from '../../errors.js'
import { saveDrawState } from '../../node/draw-state.js'
import type { BeaconResponse, RandomRequest, RandomResponse } from '../types.js'
import { recentClosedEpochs } from './consensus.js'
import { sharedView } from './shared-beacon.js'

/** Beacons of closed epochs (from memory or re-verified from disk) and draws. */

/**
 * Epoch r's beacons: the shared beacon Ω_r (version 2) and the pool beacon (version 1),
 * from memory, or from disk for final epochs older than the window. `verify`: both
 * recomputed from the signed messages on disk (contributions; commits, reveals and the
 * recovery), every signature checked again.
 */
export async function beacon(
  c: AlaraComponents,
  epoch: number | 'latest',
  verify = false,
): Promise<BeaconResponse> {
  const r = epoch === 'latest' ? latestBeaconEpoch(c) : epoch
  const old = r < c.state.replica.oldestRetainedEpoch
  if (!old && !c.state.isClosed(r, c.now())) throw new NotReadyError(`epoch ${r} is not closed yet`)
  const pool = old ? await storedPool(c, r) : memoryPool(c, r)
  const held = old ? await storedEpochBeacon(c, r) : c.state.beacons.ifAny(r)
  const shared = sharedView(c, r, held)
  if (pool === undefined && held === undefined)
    throw new NotFoundError(
      old
        ? `epoch ${r} is not held here: older than the store's window, or nothing was folded or committed`
        : `epoch ${r} has no folded contributions and no commits, so no beacon`,
    )
  const view: BeaconResponse = {
    epoch: r,
    ...shared,
    ...(pool?.beacon !== undefined ? { poolBeacon: pool.beacon } : {}),
    digest: pool?.digest ?? toHex(epochDigest(c.params.network, r, [])),
    count: pool?.contributions.length ?? 0,
    contributions: pool?.contributions ?? [],
    final: old || c.state.replica.isFinal(r),
  }
  if (verify || old) view.verified = await verified(c, r, view)
  return view
}

interface PoolView {
  beacon?: string
  digest: string
  contributions: string[]
}

function memoryPool(c: AlaraComponents, r: number): PoolView | undefined {
  const beacon = c.state.replica.beacon(r)
  if (beacon === undefined) return undefined
  return {
    beacon: toHex(beacon),
    digest: toHex(c.state.replica.digest(r)),
    contributions: c.state.replica.foldedOf(r).map((v) => v.idHex),
  }
}

/** A final epoch older than the window: its frozen ids, the beacon recomputed from disk. */
async function storedPool(c: AlaraComponents, r: number): Promise<PoolView | undefined> {
  const ids = await c.store.getFinal(r)
  if (ids === undefined || ids.length === 0) return undefined
  const idHexes = ids.map(toHex).sort()
  const again = await recompute(c, r, idHexes)
  return { beacon: again.beacon, digest: again.digest, contributions: idHexes }
}

/**
 * The newest closed epoch with a beacon: its Ω_r known, or no commits and folded
 * contributions (a pool beacon only).
 */
function latestBeaconEpoch(c: AlaraComponents): number {
  const found = recentClosedEpochs(c, Number.MAX_SAFE_INTEGER).find((e) => {
    const held = c.state.beacons.ifAny(e)
    if (held?.settled === true) return true
    const noShared = held === undefined || held.frozen?.members.length === 0
    return noShared && c.state.replica.foldedCount(e) > 0
  })
  if (found === undefined)
    throw new NotFoundError('no closed epoch has a beacon yet (no Ω_r known, nothing folded)')
  return found
}

/** Both beacons recomputed from the signed messages on disk; true when they match the view. */
async function verified(c: AlaraComponents, r: number, view: BeaconResponse): Promise<boolean> {
  try {
    if (view.count > 0) {
      const again = await recompute(c, r, view.contributions)
      if (again.beacon !== view.poolBeacon || again.digest !== view.digest) return false
    }
    if (view.beacon === undefined) return true
    const stored = await storedEpochBeacon(c, r)
    const outcome = stored?.computeOutcome(c.timelock.h)
    return (
      outcome !== undefined && outcome.status !== 'pending' && toHex(outcome.beacon) === view.beacon
    )
  } catch {
    return false
  }
}

/**
 * Recomputes digest(r) and beacon(r) from the signed contributions as stored on disk,
 * each decoded and its signature checked again: what anyone holding them could do.
 * Throws when one is missing or does not verify.
 */
async function recompute(
  c: AlaraComponents,
  r: number,
  ids: string[],
): Promise<{ digest: string; beacon: string }> {
  const checked: VerifiedContribution[] = []
  for (const idHex of ids) {
    const bytes = await c.store.getContribution(r, idHex)
    if (bytes === undefined)
      throw new NotFoundError(`contribution ${idHex} of epoch ${r} is not stored`)
    const v = verifyContribution(decodeContribution(bytes))
    if (v.idHex !== idHex || v.contribution.epoch !== r)
      throw new CorruptStoreError(`stored contribution ${idHex} is not what it claims`)
    checked.push(v)
  }
  const sorted = checked.sort((a, b) => (a.idHex < b.idHex ? -1 : 1))
  const network = c.params.network
  const digest = epochDigest(
    network,
    r,
    sorted.map((c) => c.id),
  )
  const beacon = epochBeacon(
    network,
    r,
    digest,
    sorted.map((c) => c.contribution.bits),
  )
  return { digest: toHex(digest), beacon: toHex(beacon) }
}

export async function random(c: AlaraComponents, req: RandomRequest): Promise<RandomResponse> {
  if (req.epoch !== undefined) {
    const view = await beacon(c, req.epoch)
    if (view.beacon === undefined)
      throw view.status === 'pending'
        ? new NotReadyError(
            `epoch ${view.epoch}'s shared beacon is pending (reveals or a recovery are still to come)`,
          )
        : new NotFoundError(`epoch ${view.epoch} has no shared beacon (no member committed)`)
    const out = sharedDraw(
      fromHex(view.beacon),
      view.epoch,
      c.params.network,
      req.bytes,
      req.offset ?? 0,
    )
    return { bytes: toHex(out), epoch: view.epoch }
  }
  const out = c.state.replica.privateDraw(randomBytes(32), req.bytes, {
    allowLowEntropy: req.allowLowEntropy === true,
  })
  // on disk before it is answered: a restart never draws from this chain state again
  await saveDrawState(c)
  return { bytes: toHex(out) }
}
