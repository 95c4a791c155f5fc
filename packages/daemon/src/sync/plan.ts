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

/**
 * The epochs a periodic anti-entropy round compares, once nothing waits for back-fill:
 * the last `2 × everyEpochs` + the epochs until final, so every epoch is in at least
 * one round while it can still be repaired and its votes still matter. Older epochs are
 * final here, their votes taken in by earlier rounds: asking the whole window again every
 * round would move (and hash) every vote of the retained window, from every node, every
 * round.
 */
export function antiEntropyWindow(
  current: number,
  params: Pick<ProtocolParams, 'retainEpochs' | 'epochMs' | 'finalMs'>,
  oldestRetained: number,
  everyEpochs: number,
): { fromEpoch: number; toEpoch: number } {
  const full = catchUpWindow(current, params, oldestRetained)
  const span = 2 * everyEpochs + Math.ceil(params.finalMs / params.epochMs) + 1
  return { fromEpoch: Math.max(full.fromEpoch, current - span), toEpoch: current }
}

/**
 * What a catch-up on a new connection compares: a member this node caught up with at
 * most `everyEpochs` ago (a link that dropped and came back, as under load) is asked for
 * the recent epochs only, which hold everything since; anyone else for the whole window.
 * On an overloaded network every dropped ping re-ran a whole-window catch-up, which
 * loaded it further (docs/BENCHMARKS.md, "Scale").
 */
export function reconnectScope(
  lastCaughtUpEpoch: number | undefined,
  current: number,
  everyEpochs: number,
): 'window' | 'recent' {
  return lastCaughtUpEpoch !== undefined && current - lastCaughtUpEpoch <= everyEpochs
    ? 'recent'
    : 'window'
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

/** The key of a peer's outbound catch-up: a second ask while one runs is merged. */
export const catchUpKey = (peerId: string): string => `${peerId}/catch-up`
