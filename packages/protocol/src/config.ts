/**
 * Protocol parameters and their defaults, in one place. The validation cutoffs
 * (maxMessageBytes, maxBits, maxPerEpoch, health-test cutoffs) must be equal on every
 * node or validity would differ between peers.
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
  maxMessageBytes: number
  maxBits: number
  maxPerEpoch: number
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
  maxBits: 8192,
  maxPerEpoch: 64,
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

/** Fills in defaults; graceMs and finalMs follow epochMs unless given. */
export function resolveParams(partial: Partial<ProtocolParams> = {}): ProtocolParams {
  const epochMs = partial.epochMs ?? DEFAULT_PARAMS.epochMs
  return {
    ...DEFAULT_PARAMS,
    ...partial,
    epochMs,
    graceMs: partial.graceMs ?? defaultGraceMs(epochMs),
    finalMs: partial.finalMs ?? defaultFinalMs(epochMs),
  }
}
