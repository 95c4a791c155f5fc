import type { ProtocolParams } from './config.js'
import { DecodeError, NonCanonicalError } from './errors.js'
import { type Inspection, inspectContribution } from './inspect/inspect.js'
import {
  checkSignature,
  contributionSigningBytes,
  type SignatureCheck,
  sha256,
  toHex,
  type VerifiedVote,
  verifySignature,
  voteSigningBytes,
} from './signing.js'
import type { VerifiedContribution, Vote } from './types.js'
import { type VerifiedEvidence, verifyEvidence } from './validate-evidence.js'
import { CONTRIBUTION_VERDICTS, type ContributionRefusal } from './validate-reasons.js'
import { keyOf, type Refusal, refuser } from './verdicts.js'
import { voteShapeProblem } from './vote-shape.js'
import { decodeVote } from './wire/codec.js'

/**
 * Network-level validation (docs/PROTOCOL.md, "Validation"): is this a well-formed, authentic
 * message? Verdicts map straight onto gossipsub's Accept / Reject / Ignore. Every rule has
 * one stable reason code; checks run cheapest first, the signature last among the content
 * checks. Two local checks run before the signature, so that a flood costs no
 * verification: membership (a stranger's message is ignored as STRANGER, docs/PROTOCOL.md
 * "Membership") and the per-origin quota (it counts stored, hence verified, contributions,
 * so a forged message cannot use it up). Trust levels are not looked at here: they are
 * local folding policy, not validity. A vote's evidence (validate-evidence.ts) is checked
 * last, once the vote itself is known genuine and current.
 */

export const VOTE_VERDICTS = {
  TOO_LARGE: 'reject',
  DECODE: 'reject',
  NON_CANONICAL: 'reject',
  WRONG_NETWORK: 'reject',
  DIGEST_LENGTH: 'reject',
  BEACON_LENGTH: 'reject',
  BEACON_COUNT: 'reject',
  /** version 2: commits_digest is not 32 bytes with commit_count > 0, or not empty with 0 */
  COMMITS_DIGEST: 'reject',
  EPOCH_TOO_FAR_AHEAD: 'ignore',
  DUPLICATE: 'ignore',
  BAD_ORIGIN: 'reject',
  /** a stranger's vote when the receiver keeps no more of them: no signature is checked */
  STRANGER: 'ignore',
  BAD_SIGNATURE: 'reject',
  /** older than the receiver's retained window: nothing left to compare it with */
  EPOCH_TOO_OLD: 'ignore',
  /** the origin's votes for this epoch reached the receiver's re-vote bound */
  TOO_MANY_VOTES: 'ignore',
  /**
   * the evidence does not check (validate-evidence.ts): own ids or a voucher's ids that do
   * not hash to the digest, a voucher that is not a canonical signed vote of the same
   * network and epoch without evidence, more than MAX_VOUCHERS vouchers
   */
  BAD_EVIDENCE: 'reject',
} as const

export {
  CONTRIBUTION_VERDICTS,
  type ContributionReason,
  type ContributionRefusal,
} from './validate-reasons.js'
export type { Refusal } from './verdicts.js'

export type VoteReason = keyof typeof VOTE_VERDICTS

export type ValidationResult =
  | { verdict: 'accept'; contribution: VerifiedContribution }
  | ContributionRefusal

export type VoteValidationResult =
  /** `evidence`: the re-vote's evidence, verified, when it carries some */
  | { verdict: 'accept'; vote: VerifiedVote; evidence?: VerifiedEvidence }
  | Refusal<typeof VOTE_VERDICTS>

/** What validation needs to know about the local node; supplied by the replica/daemon. */
export interface ValidationContext {
  params: ProtocolParams
  /** the node's clock, for the "more than one epoch ahead" rule */
  nowMs: number
  /** true when a contribution with this id is already stored */
  seen(idHex: string): boolean
  /** contributions of this origin already accepted for this epoch */
  countFor(originHex: string, epoch: number): number
  /** true once the node closed the epoch (published its vote) */
  isClosed(epoch: number): boolean
  /** true once the epoch's folded set is frozen */
  isFinal(epoch: number): boolean
  /**
   * The contribution arrives by repair or catch-up over the sync protocol: a closed epoch
   * still takes it, only a final one refuses it.
   */
  viaRepair?: boolean
  /**
   * Whether this origin's contributions are taken at all (a member, or listed in the
   * trust store); false: ignored as STRANGER before the signature. Absent: all are.
   */
  admits?(originHex: string): boolean
}

export interface VoteValidationContext {
  params: ProtocolParams
  nowMs: number
  /**
   * true when this very vote (its id) is the one held for its origin and epoch: refused as
   * DUPLICATE before the signature, so a catch-up that brings back every vote of the
   * window costs a hash per known vote, not a verify (optional: gossipsub dedupes too)
   */
  seen?(idHex: string, originHex: string, epoch: number): boolean
  /** oldest epoch the receiver retains; an older (valid) vote is EPOCH_TOO_OLD */
  oldestEpoch?: number
  /**
   * Whether a vote of this origin for this epoch is worth a signature check (a member,
   * or a stranger while the receiver's small list of them has room); false: ignored as
   * STRANGER. Absent: all are.
   */
  admits?(originHex: string, epoch: number): boolean
  /** votes of an origin for an epoch this receiver accepted so far (first and re-votes) */
  votesFrom?(originHex: string, epoch: number): number
  /** at `votesFrom` ≥ this, a vote is TOO_MANY_VOTES (ignore), before its signature check */
  maxVotesPerOrigin?: number
}

export function validateContribution(bytes: Uint8Array, ctx: ValidationContext): ValidationResult {
  const checked = precheckContribution(bytes, ctx)
  if (checked.verdict !== 'pending') return checked
  return settleContribution(checked, checkSignature(signatureCheckOf(checked)), ctx)
}

/**
 * A contribution that passed every check before the signature: what is left is the
 * Ed25519 verify (signatureCheckOf, a pure function of its fields) and settleContribution.
 * The split lets a caller verify elsewhere (a worker thread).
 */
export interface PendingContribution {
  verdict: 'pending'
  contribution: VerifiedContribution
}

export type PrecheckResult = PendingContribution | ContributionRefusal

/** The Ed25519 check of a contribution: its origin, signing bytes and signature. */
export function signatureCheckOf(pending: PendingContribution): SignatureCheck {
  const c = pending.contribution.contribution
  return { origin: c.origin, message: contributionSigningBytes(c), signature: c.signature }
}

/**
 * Every check of validateContribution before the signature, in the same order: the
 * stateless ones (inspectContribution, which a verify thread may run instead) and then
 * the state's (precheckInspected). The health tests run only for a message the state
 * does not refuse first.
 */
export function precheckContribution(bytes: Uint8Array, ctx: ValidationContext): PrecheckResult {
  return precheckInspected(inspectContribution(bytes, ctx.params), ctx)
}

/**
 * The stateful half of the checks before the signature, on an inspection made here or on a
 * verify thread: the clock and the node's state (epoch ahead, final, closed, held, quota),
 * then the inspection's late refusals in their place (BAD_ORIGIN before STRANGER, the
 * health tests after it). So the verdict and reason are those of one pass in the documented order.
 */
export function precheckInspected(inspection: Inspection, ctx: ValidationContext): PrecheckResult {
  if (inspection.verdict !== 'inspected') return inspection
  const v = inspection.contribution
  const early = refuseBeforeId(v.contribution.epoch, ctx)
  if (early !== undefined) return early
  // The quota before the signature: the count is of verified, stored contributions only,
  // so a forged message cannot use it up, and one over it costs no verify.
  const held = refuseByHeld(v.idHex, v.originHex, v.contribution.epoch, ctx)
  if (held !== undefined) return held
  const badOrigin = inspection.originRefusal()
  if (badOrigin !== undefined) return badOrigin
  if (ctx.admits !== undefined && !ctx.admits(v.originHex))
    return refuseContribution('STRANGER', `origin ${v.originHex} is not a member here`)
  return inspection.healthRefusal() ?? { verdict: 'pending', contribution: v }
}

/**
 * Whether a contribution of this origin and epoch could still be accepted once its
 * signature verifies, by what the state says before its id is known: false when it would
 * be refused whatever its signature (too far ahead, final, closed, quota full, stranger).
 * A verify thread is asked for the signature only when true, so that what DESIGN.md says
 * costs no verify (a stranger's message above all) costs none there either.
 */
export function worthVerifying(originHex: string, epoch: number, ctx: ValidationContext): boolean {
  if (refuseBeforeId(epoch, ctx) !== undefined) return false
  if (ctx.countFor(originHex, epoch) >= 2 * ctx.params.maxPerEpoch) return false
  return ctx.admits === undefined || ctx.admits(originHex)
}

/**
 * The verdict of a pending contribution once its signature was checked. The node's state
 * may have moved while the signature was verified elsewhere, so the state checks run again
 * (same reasons); a forged signature is rejected first, whatever the state.
 */
export function settleContribution(
  pending: PendingContribution,
  signatureValid: boolean,
  ctx: ValidationContext,
): ValidationResult {
  const refuse = refuseContribution
  if (!signatureValid)
    return refuse('BAD_SIGNATURE', 'signature does not verify against the origin key')
  const v = pending.contribution
  const epoch = v.contribution.epoch
  const stateRefusal = refuseByState(epoch, ctx)
  if (stateRefusal !== undefined) return stateRefusal
  const held = refuseByHeld(v.idHex, v.originHex, epoch, ctx)
  if (held !== undefined) return held
  return { verdict: 'accept', contribution: v }
}

/** The clock's and the epoch state's refusals, which come before the id's. */
function refuseBeforeId(epoch: number, ctx: ValidationContext): ContributionRefusal | undefined {
  const current = Math.floor(ctx.nowMs / ctx.params.epochMs)
  if (epoch > current + 1)
    return refuseContribution(
      'EPOCH_TOO_FAR_AHEAD',
      `epoch ${epoch} is more than one ahead of ${current}`,
    )
  return refuseByState(epoch, ctx)
}

/**
 * What the node already holds refuses a contribution: the same one stored (DUPLICATE), or
 * its origin's quota for the epoch full. An origin's contributions are taken up to
 * 2 × maxPerEpoch per epoch (DESIGN.md, "Per-origin caps decide by the set, not by
 * arrival"): the replica folds them all and credits the maxPerEpoch smallest ids, so an
 * origin that sends different items to different nodes within that bound cannot split
 * them by filling each node's quota first.
 */
function refuseByHeld(
  idHex: string,
  originHex: string,
  epoch: number,
  ctx: ValidationContext,
): ContributionRefusal | undefined {
  if (ctx.seen(idHex))
    return refuseContribution('DUPLICATE', `contribution ${idHex} is already stored`)
  const count = ctx.countFor(originHex, epoch)
  const limit = 2 * ctx.params.maxPerEpoch
  if (count < limit) return undefined
  return refuseContribution(
    'TOO_MANY_IN_EPOCH',
    `origin has ${count} contributions in epoch ${epoch}, the limit is 2 × maxPerEpoch = ${limit}`,
  )
}

function refuseByState(epoch: number, ctx: ValidationContext): ContributionRefusal | undefined {
  if (ctx.isFinal(epoch)) return refuseContribution('EPOCH_FINAL', `epoch ${epoch} is final`)
  if (ctx.viaRepair !== true && ctx.isClosed(epoch))
    return refuseContribution(
      'EPOCH_CLOSED',
      `epoch ${epoch} is closed; it can only arrive by repair`,
    )
  return undefined
}

export function validateVote(bytes: Uint8Array, ctx: VoteValidationContext): VoteValidationResult {
  const { params } = ctx
  const refuse = refuseVote

  if (bytes.length > params.maxVoteBytes)
    return refuse('TOO_LARGE', `${bytes.length} bytes, above maxVoteBytes ${params.maxVoteBytes}`)

  let v: Vote
  try {
    v = decodeVote(bytes)
  } catch (err) {
    if (err instanceof NonCanonicalError) return refuse('NON_CANONICAL', err.message)
    if (err instanceof DecodeError) return refuse('DECODE', err.message)
    throw err
  }

  if (v.network !== params.network)
    return refuse('WRONG_NETWORK', `network '${v.network}', expected '${params.network}'`)
  const shape = voteShapeProblem(v)
  if (shape !== undefined) return refuse(shape.reason, shape.message)

  // An honest node votes at end(r) + graceMs of its clock, at most graceMs ahead of ours,
  // so by our clock epoch r has ended: a vote for the current epoch or later is early.
  const current = Math.floor(ctx.nowMs / params.epochMs)
  if (v.epoch >= current)
    return refuse(
      'EPOCH_TOO_FAR_AHEAD',
      `vote for epoch ${v.epoch}, which has not ended (now ${current})`,
    )

  const signingBytes = voteSigningBytes(v)
  const id = sha256(signingBytes)
  const idHex = toHex(id)
  const originHex = toHex(v.origin)
  if (ctx.seen?.(idHex, originHex, v.epoch) === true)
    return refuse('DUPLICATE', `vote ${idHex} was seen already`)

  // Before the signature: each accepted vote costs a verify and a write, so an origin
  // saying something new for an epoch again and again is cut off cheaply.
  if (ctx.maxVotesPerOrigin !== undefined && ctx.votesFrom !== undefined) {
    const said = ctx.votesFrom(originHex, v.epoch)
    if (said >= ctx.maxVotesPerOrigin)
      return refuse(
        'TOO_MANY_VOTES',
        `origin sent ${said} votes for epoch ${v.epoch}, the limit is ${ctx.maxVotesPerOrigin}`,
      )
  }
  const key = keyOf(v.origin, originHex)
  if (typeof key === 'string') return refuse('BAD_ORIGIN', key)
  if (ctx.admits !== undefined && !ctx.admits(originHex, v.epoch))
    return refuse('STRANGER', `origin ${originHex} is not a member here`)
  if (!verifySignature(key, signingBytes, v.signature))
    return refuse('BAD_SIGNATURE', 'signature does not verify against the origin key')
  // Checked last, as before it was a protocol reason: a forged old vote is still a reject.
  if (ctx.oldestEpoch !== undefined && v.epoch < ctx.oldestEpoch)
    return refuse(
      'EPOCH_TOO_OLD',
      `vote for epoch ${v.epoch}, older than the retained window (from ${ctx.oldestEpoch})`,
    )

  // Last: up to MAX_VOUCHERS more verifies, paid only for a genuine, current vote.
  const evidence = verifyEvidence(v)
  if (evidence !== undefined && 'problem' in evidence)
    return refuse('BAD_EVIDENCE', evidence.problem)
  const vote = { id, idHex, originHex, vote: v }
  return evidence === undefined
    ? { verdict: 'accept', vote }
    : { verdict: 'accept', vote, evidence }
}

const refuseContribution = refuser(CONTRIBUTION_VERDICTS)
const refuseVote = refuser(VOTE_VERDICTS)
