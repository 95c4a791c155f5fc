import { DEFAULT_BYZANTINE_ROUNDS, defaultRoundMs } from './admission/rounds.js'
import {
  DEFAULT_TIMELOCK_SQUARINGS,
  MAX_TIMELOCK_SQUARINGS,
  MIN_TIMELOCK_SQUARINGS,
} from './beacon/timelock-default.js'
import { ParamsError } from './errors.js'

/**
 * Protocol parameters and their defaults, in one place. The validation cutoffs
 * (maxMessageBytes, maxVoteBytes, maxBits, maxPerEpoch, health-test cutoffs) and the
 * admission timing (roundMs, byzantineRounds) must be equal on every node or validity
 * and admission would differ between peers.
 */
export interface ProtocolParams {
  network: string
  epochMs: number
  graceMs: number
  /** epoch r is final at end(r) + finalMs */
  finalMs: number
  poolBits: number
  retainEpochs: number
  defaultTrust: number
  byzantineThreshold: number
  /** largest contribution accepted */
  maxMessageBytes: number
  /** largest vote accepted: a re-vote carries its evidence (ids and vouchers' votes) */
  maxVoteBytes: number
  maxBits: number
  /**
   * contributions of one origin credited per epoch (its smallest ids); validation takes up
   * to 2 × maxPerEpoch of them (DESIGN.md, "Per-origin caps decide by the set")
   */
  maxPerEpoch: number
  /** R: one admission round after close (DESIGN.md, "Admission after close") */
  roundMs: number
  /** K: colluding members the admission rounds outlast; the deadline is close + (K + 1)·R */
  byzantineRounds: number
  /**
   * T of the version-2 beacon's time-lock: squarings that recover a withheld reveal
   * (DESIGN.md "The shared beacon, version 2"); part of D_r, so equal on every node
   */
  timelockSquarings: number
}

/** Defaults; finalMs defaults to 3 epochs of whatever epochMs is (see resolveParams). */
export const DEFAULT_PARAMS: Readonly<ProtocolParams> = Object.freeze({
  network: 'default',
  epochMs: 5000,
  graceMs: 1000,
  finalMs: 3 * 5000,
  poolBits: 10_000,
  retainEpochs: 720,
  defaultTrust: 0.8,
  byzantineThreshold: 0.33,
  maxMessageBytes: 8 * 1024,
  maxVoteBytes: 64 * 1024,
  maxBits: 8192,
  maxPerEpoch: 64,
  roundMs: defaultRoundMs(1000),
  byzantineRounds: DEFAULT_BYZANTINE_ROUNDS,
  timelockSquarings: DEFAULT_TIMELOCK_SQUARINGS,
})

/** Credited entropy (bits) at which a node reports `ready` for private draws. */
export const READY_CREDIT_BITS = 256

/** SP 800-90B cutoffs for binary samples, H = 1, alpha = 2^-40 (docs/PROTOCOL.md, "Validation"). */
export const HEALTH_CUTOFFS = Object.freeze({
  repetitionCount: 41,
  adaptiveWindow: 1024,
  adaptiveCutoff: 625,
})

/**
 * graceMs when not given: half an epoch, at most 1000 ms (docs/OPERATIONS.md, "Epoch
 * timing"). An epoch is voted at end + graceMs, so the grace must cover the spread of an
 * honest contribution made at the very end of the epoch (propagation, p99 ~0.1 s on a LAN)
 * plus clock skew; half an epoch does for epochs of 250 ms and more on a LAN, and 1000 ms
 * (the long-standing default) bounds it for long epochs. Every node of a network must
 * derive the same value: give graceMs explicitly when nodes run different versions.
 */
export function defaultGraceMs(epochMs: number): number {
  return Math.min(1000, Math.floor(epochMs / 2))
}

/** finalMs when not given: 3 epochs (repair has from end + graceMs to end + finalMs). */
export function defaultFinalMs(epochMs: number): number {
  return 3 * epochMs
}

/**
 * Fills in defaults; graceMs and finalMs follow epochMs, roundMs follows graceMs
 * (⌊graceMs / 2⌋) unless given. Throws ParamsError when the admission rounds do not fit:
 * roundMs below 1, or an admission deadline (graceMs + (byzantineRounds + 1) × roundMs
 * after the epoch's end) later than finalMs, when the epoch freezes.
 */
export function resolveParams(partial: Partial<ProtocolParams> = {}): ProtocolParams {
  const epochMs = partial.epochMs ?? DEFAULT_PARAMS.epochMs
  const graceMs = partial.graceMs ?? defaultGraceMs(epochMs)
  const params: ProtocolParams = {
    ...DEFAULT_PARAMS,
    ...partial,
    epochMs,
    graceMs,
    finalMs: partial.finalMs ?? defaultFinalMs(epochMs),
    roundMs: partial.roundMs ?? defaultRoundMs(graceMs),
  }
  checkAdmissionTiming(params, partial.roundMs === undefined)
  return params
}

function checkAdmissionTiming(p: ProtocolParams, roundDefaulted: boolean): void {
  if (!Number.isSafeInteger(p.roundMs) || p.roundMs < 1)
    throw new ParamsError(
      roundDefaulted
        ? `roundMs defaults to ⌊graceMs / 2⌋, ${p.roundMs} with graceMs ${p.graceMs}; it must be at least 1: raise graceMs to 2 or more, or set roundMs`
        : `roundMs must be an integer of at least 1, got ${p.roundMs}`,
    )
  if (!Number.isSafeInteger(p.byzantineRounds) || p.byzantineRounds < 0)
    throw new ParamsError(`byzantineRounds must be an integer ≥ 0, got ${p.byzantineRounds}`)
  if (!Number.isSafeInteger(p.maxVoteBytes) || p.maxVoteBytes < 1)
    throw new ParamsError(`maxVoteBytes must be a positive integer, got ${p.maxVoteBytes}`)
  const T = p.timelockSquarings
  if (!Number.isSafeInteger(T) || T < MIN_TIMELOCK_SQUARINGS || T > MAX_TIMELOCK_SQUARINGS)
    throw new ParamsError(
      `timelockSquarings must be an integer from ${MIN_TIMELOCK_SQUARINGS} to ${MAX_TIMELOCK_SQUARINGS}, got ${T}`,
    )
  const rounds = p.byzantineRounds + 1
  const deadline = p.graceMs + rounds * p.roundMs
  if (deadline > p.finalMs)
    throw new ParamsError(
      `graceMs + (byzantineRounds + 1) × roundMs = ${p.graceMs} + ${rounds} × ${p.roundMs} = ${deadline} is above finalMs ${p.finalMs}: an epoch's admission deadline must come before it is final; lower roundMs or byzantineRounds, or raise finalMs`,
    )
}
