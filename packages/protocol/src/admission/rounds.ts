import { InvalidInputError } from '../errors.js'

/**
 * The clock of "Admission after close" (DESIGN.md, "Epochs and consensus"): after close(r)
 * an item of r enters only by repair, in rounds of roundMs (R) by each node's own clock.
 * Round k needs vouchers from k distinct counted members other than the node, so an item
 * that reaches one honest node in round k reaches every honest node, with k + 1 checkable
 * vouchers, by round k + 1; K = byzantineRounds colluders are outlasted by round K + 1,
 * whose end is the admission deadline. Pure: the caller hands in its clock.
 */

export interface AdmissionTiming {
  /** R: the length of one round, equal on every node */
  roundMs: number
  /** K: colluding members tolerated; the rounds are 1..K+1 */
  byzantineRounds: number
}

/** 'open' before close; round k (1..K+1) after it; 'over' once the deadline has passed. */
export type AdmissionRound = 'open' | number | 'over'

/** Default K: DESIGN.md's 3 (with R = graceMs/2 the deadline is end + 3 × graceMs). */
export const DEFAULT_BYZANTINE_ROUNDS = 3

/** R when not given: half the grace, so a vote plus repair plus clock skew fits in a round. */
export function defaultRoundMs(graceMs: number): number {
  return Math.floor(graceMs / 2)
}

/**
 * 'open' while nowMs <= closeMs (close itself is still open: the vote is cast then);
 * k for nowMs in (close + (k − 1)·R, close + k·R], k = 1..K+1; 'over' after the
 * deadline close + (K + 1)·R, which belongs to round K + 1.
 */
export function admissionRound(
  nowMs: number,
  closeMs: number,
  timing: AdmissionTiming,
): AdmissionRound {
  assertTiming(timing)
  if (!Number.isFinite(nowMs) || !Number.isFinite(closeMs))
    throw new InvalidInputError(`nowMs and closeMs must be finite, got ${nowMs} and ${closeMs}`)
  if (nowMs <= closeMs) return 'open'
  const k = Math.ceil((nowMs - closeMs) / timing.roundMs)
  return k > timing.byzantineRounds + 1 ? 'over' : k
}

/** close + (K + 1)·R: the last instant anything of the epoch is admitted (inclusive). */
export function admissionDeadlineMs(closeMs: number, timing: AdmissionTiming): number {
  assertTiming(timing)
  return closeMs + (timing.byzantineRounds + 1) * timing.roundMs
}

function assertTiming(timing: AdmissionTiming): void {
  if (!Number.isSafeInteger(timing.roundMs) || timing.roundMs < 1)
    throw new InvalidInputError(`roundMs must be an integer ≥ 1, got ${timing.roundMs}`)
  if (!Number.isSafeInteger(timing.byzantineRounds) || timing.byzantineRounds < 0)
    throw new InvalidInputError(
      `byzantineRounds must be an integer ≥ 0, got ${timing.byzantineRounds}`,
    )
}
