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

/** Fills in defaults; finalMs follows epochMs (3 epochs) unless given. */
export function resolveParams(partial: Partial<ProtocolParams> = {}): ProtocolParams {
  const epochMs = partial.epochMs ?? DEFAULT_PARAMS.epochMs
  return { ...DEFAULT_PARAMS, ...partial, epochMs, finalMs: partial.finalMs ?? 3 * epochMs }
}
