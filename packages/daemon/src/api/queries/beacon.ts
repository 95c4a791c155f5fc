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
import type { AlaraComponents } from '../../components.js'
import { CorruptStoreError, NotFoundError, NotReadyError } from '../../errors.js'
import { saveDrawState } from '../../node/draw-state.js'
import type { BeaconResponse, RandomRequest, RandomResponse } from '../types.js'
import { recentClosedEpochs } from './consensus.js'

/** Beacons of closed epochs (from the replica or re-verified from disk) and draws. */

/** The beacon of a closed epoch: from the replica, or from disk for older final epochs. */
export async function beacon(
  c: AlaraComponents,
  epoch: number | 'latest',
  verify = false,
): Promise<BeaconResponse> {
  const r = epoch === 'latest' ? latestBeaconEpoch(c) : epoch
  if (r < c.state.replica.oldestRetainedEpoch) return storedBeacon(c, r)
  if (!c.state.isClosed(r, c.now())) throw new NotReadyError(`epoch ${r} is not closed yet`)
  const beacon = c.state.replica.beacon(r)
  if (beacon === undefined)
    throw new NotFoundError(`epoch ${r} has no folded contributions, so no beacon`)
  const folded = c.state.replica.foldedOf(r)
  const view: BeaconResponse = {
    epoch: r,
    beacon: toHex(beacon),
    digest: toHex(c.state.replica.digest(r)),
    count: folded.length,
    contributions: folded.map((v) => v.idHex),
    final: c.state.replica.isFinal(r),
  }
  if (verify) {
    const again = await recompute(c, r, view.contributions).catch(() => undefined)
    view.verified =
      again !== undefined && again.beacon === view.beacon && again.digest === view.digest
  }
  return view
}

function latestBeaconEpoch(c: AlaraComponents): number {
  const found = recentClosedEpochs(c, Number.MAX_SAFE_INTEGER).find(
    (e) => c.state.replica.foldedCount(e) > 0,
  )
  if (found === undefined)
    throw new NotFoundError('no closed epoch has folded contributions yet, so there is no beacon')
  return found
}

/**
 * An epoch older than the replica's window: its frozen folded ids and signed
 * contributions are read back from disk and the beacon recomputed from them, so it is
 * verified by construction (a missing or forged contribution makes it fail).
 */
async function storedBeacon(c: AlaraComponents, r: number): Promise<BeaconResponse> {
  const ids = await c.store.getFinal(r)
  if (ids === undefined)
    throw new NotFoundError(
      `epoch ${r} is not held here: older than the store's window, or no contribution was folded`,
    )
  if (ids.length === 0)
    throw new NotFoundError(`epoch ${r} has no folded contributions, so no beacon`)
  const idHexes = ids.map(toHex).sort()
  const again = await recompute(c, r, idHexes)
  return {
    epoch: r,
    beacon: again.beacon,
    digest: again.digest,
    count: idHexes.length,
    contributions: idHexes,
    final: true,
    verified: true,
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
