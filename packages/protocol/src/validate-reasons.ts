import type { Refusal } from './verdicts.js'

/**
 * The contribution reason codes, apart from validate.ts so that the stateless checks
 * (inspect/inspect.ts, which run on a verify thread) and the stateful ones share them
 * without an import cycle. The order of the keys is also each reason's number in the
 * verify threads' packed answers (inspect/thread-jobs.ts): append, never reorder.
 */

/** Reason code of each refusal and the verdict it carries. */
export const CONTRIBUTION_VERDICTS = {
  TOO_LARGE: 'reject',
  DECODE: 'reject',
  NON_CANONICAL: 'reject',
  WRONG_NETWORK: 'reject',
  BIT_LENGTH: 'reject',
  BITS_LENGTH: 'reject',
  BITS_PADDING: 'reject',
  WRONG_EPOCH: 'reject',
  EPOCH_TOO_FAR_AHEAD: 'ignore',
  EPOCH_FINAL: 'ignore',
  EPOCH_CLOSED: 'ignore',
  DUPLICATE: 'ignore',
  BAD_ORIGIN: 'reject',
  /** the origin is not a member here (docs/PROTOCOL.md, "Membership"): costs a decode only */
  STRANGER: 'ignore',
  HEALTH_RCT: 'reject',
  HEALTH_APT: 'reject',
  BAD_SIGNATURE: 'reject',
  TOO_MANY_IN_EPOCH: 'reject',
} as const

export type ContributionReason = keyof typeof CONTRIBUTION_VERDICTS

export type ContributionRefusal = Refusal<typeof CONTRIBUTION_VERDICTS>
