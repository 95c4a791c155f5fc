import {
  type Contribution,
  type ContributionCheck,
  checkContributionHere,
  checkSignature,
  type InspectParams,
  type SignatureCheck,
} from '@alara/protocol'

/**
 * Where the receive path sends the work it keeps off the main thread. The in-thread
 * checker is the fallback (and what unit tests of services use); the VerifyPool spreads
 * the work over every core.
 */
export interface SignatureVerifier {
  /**
   * `source`: where the message came from (the forwarding peer, or `sync`); checks are
   * queued fairly per source, so one peer's flood waits behind itself, not before others.
   */
  verify(check: SignatureCheck, source?: string): Promise<boolean>
  /**
   * False when a check from `source` would be shed now (the queue is full and `source`
   * holds the most of it): the caller can skip what it would do before it.
   */
  hasRoomFor?(source: string): boolean
}

export interface ContributionChecker extends SignatureVerifier {
  /**
   * A received contribution's stateless checks (protocol inspectContribution) and, when
   * `verify`, its signature: on a verify thread under load. `decoded`: the caller's read of
   * the same bytes, reused for the answer.
   */
  checkContribution(
    bytes: Uint8Array,
    verify: boolean,
    source?: string,
    decoded?: Contribution,
  ): Promise<ContributionCheck>
}

export const inThreadVerifier: SignatureVerifier = {
  verify: async (check) => checkSignature(check),
}

export function inThreadChecker(params: InspectParams): ContributionChecker {
  return {
    ...inThreadVerifier,
    checkContribution: async (bytes, verify) => checkContributionHere(bytes, params, verify),
  }
}
