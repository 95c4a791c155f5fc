import {
  type EpochSummary,
  oldestRetainedEpoch,
  type ProtocolParams,
  type Replica,
  SYNC_LIMITS,
  toHex,
} from '@alara/protocol'

/** Pure decisions of catch-up and repair, free of streams and timers. */

/** The epochs a catch-up compares: the retained window, within one request's span. */
export function catchUpWindow(
  current: number,
  params: Pick<ProtocolParams, 'retainEpochs'>,
  oldestRetained: number,
): { fromEpoch: number; toEpoch: number } {
  const fromEpoch = Math.max(
    oldestRetained,
    oldestRetainedEpoch(current, Math.min(params.retainEpochs, SYNC_LIMITS.maxEpochSpan - 1)),
  )
  return { fromEpoch, toEpoch: current }
}

/** The epochs whose stored set differs from a peer's and that are not final here. */
export function epochsToRepair(
  replica: Pick<Replica, 'isFinal' | 'summary'>,
  theirs: EpochSummary[],
): number[] {
  const out: number[] = []
  for (const s of theirs) {
    if (replica.isFinal(s.epoch)) continue
    if (toHex(replica.summary(s.epoch).storedDigest) === toHex(s.storedDigest)) continue
    out.push(s.epoch)
  }
  return out
}

/** Keys of outbound sync work: a second ask for the same work while one runs is merged. */
export const repairKey = (peerId: string, epoch: number): string => `${peerId}/${epoch}`
export const catchUpKey = (peerId: string): string => `${peerId}/catch-up`
