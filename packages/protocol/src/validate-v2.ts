import { ALPHA_BYTES, compareOrigins } from './beacon/commits.js'
import { decodeElement } from './beacon/group.js'
import { commitSigningBytes, revealSigningBytes } from './beacon/messages.js'
import type { Recovery } from './beacon/output.js'
import type { ProtocolParams } from './config.js'
import { BadElementError } from './errors.js'
import { sha256, toHex, verifySignature } from './signing.js'
import type { VerifiedCommit, VerifiedReveal } from './signing-v2.js'
import { decodeWithin, keyOf, type Refusal, refuser } from './verdicts.js'
import { COMMITS_DIGEST_BYTES } from './vote-commits.js'
import { decodeCommit, decodeRecovery, decodeReveal } from './wire/codec-v2.js'

/**
 * Network-level validation of version 2's messages (DESIGN.md, "The shared beacon,
 * version 2"), as validate.ts does version 1's: is it a well-formed, authentic message?
 * One stable reason code per rule, cheapest checks first, the signature last. What needs
 * the epoch's commit set is the caller's: whether a reveal opens the held commit
 * (revealOpens), whether a recovery's proof holds for it (verifyRecovery), and whether an
 * origin that signed two commits is equivocating (both are accepted: they are the
 * evidence, and every node must get to see them).
 */

export const COMMIT_VERDICTS = {
  TOO_LARGE: 'reject',
  DECODE: 'reject',
  NON_CANONICAL: 'reject',
  WRONG_NETWORK: 'reject',
  /** c is not 256 bytes of an element in [2, (N−1)/2] */
  BAD_ELEMENT: 'reject',
  WRONG_EPOCH: 'reject',
  EPOCH_TOO_FAR_AHEAD: 'ignore',
  /** the epoch's commit set is frozen here */
  EPOCH_FINAL: 'ignore',
  /** the epoch is closed here and the commit did not come by repair */
  EPOCH_CLOSED: 'ignore',
  DUPLICATE: 'ignore',
  /** the origin already has MAX_COMMITS_PER_ORIGIN commits held: equivocation is proven */
  TOO_MANY_COMMITS: 'ignore',
  BAD_ORIGIN: 'reject',
  /** not a member here: a stranger's commit costs a decode only */
  STRANGER: 'ignore',
  BAD_SIGNATURE: 'reject',
} as const

export const REVEAL_VERDICTS = {
  TOO_LARGE: 'reject',
  DECODE: 'reject',
  NON_CANONICAL: 'reject',
  WRONG_NETWORK: 'reject',
  /** α is not ALPHA_BYTES (272) bytes */
  ALPHA_LENGTH: 'reject',
  /** the epoch has not ended here: no honest node reveals before its freeze */
  EPOCH_TOO_FAR_AHEAD: 'ignore',
  DUPLICATE: 'ignore',
  BAD_ORIGIN: 'reject',
  STRANGER: 'ignore',
  BAD_SIGNATURE: 'reject',
} as const

export const RECOVERY_VERDICTS = {
  TOO_LARGE: 'reject',
  DECODE: 'reject',
  NON_CANONICAL: 'reject',
  WRONG_NETWORK: 'reject',
  /** commits_digest is not 32 bytes */
  COMMITS_DIGEST_LENGTH: 'reject',
  /** no withheld origin, or an empty one */
  WITHHELD_EMPTY: 'reject',
  /** the withheld origins are not strictly ascending bytes */
  WITHHELD_ORDER: 'reject',
  /** y or proof is not 256 bytes of an element in [2, (N−1)/2] */
  BAD_ELEMENT: 'reject',
  /** the epoch has not ended here: nothing can have been withheld yet */
  EPOCH_TOO_FAR_AHEAD: 'ignore',
  DUPLICATE: 'ignore',
} as const

export type CommitReason = keyof typeof COMMIT_VERDICTS
export type RevealReason = keyof typeof REVEAL_VERDICTS
export type RecoveryReason = keyof typeof RECOVERY_VERDICTS

/**
 * Commits of one origin and epoch worth holding: two different ones prove it equivocated
 * (DESIGN.md: both are kept as evidence), a third adds nothing but a verify and a relay.
 */
export const MAX_COMMITS_PER_ORIGIN = 2

/** A recovery whose fields are well formed, decoded; its proof is not checked yet. */
export interface WellFormedRecovery extends Recovery {
  network: string
  epoch: number
  /** SHA-256 of its encoded bytes: its message id, and its id (it has no signing bytes) */
  id: Uint8Array
  idHex: string
}

export type CommitValidationResult =
  | { verdict: 'accept'; commit: VerifiedCommit }
  | Refusal<typeof COMMIT_VERDICTS>

export type RevealValidationResult =
  | { verdict: 'accept'; reveal: VerifiedReveal }
  | Refusal<typeof REVEAL_VERDICTS>

export type RecoveryValidationResult =
  | { verdict: 'accept'; recovery: WellFormedRecovery }
  | Refusal<typeof RECOVERY_VERDICTS>

/** What commit validation needs to know about the local node (as ValidationContext). */
export interface CommitValidationContext {
  params: ProtocolParams
  nowMs: number
  /** true when a commit with this id is already held */
  seen(idHex: string): boolean
  /** true once the node closed the epoch (published its vote with the commits it held) */
  isClosed(epoch: number): boolean
  /** true once the epoch's commit set is frozen (its admission deadline passed) */
  isFinal(epoch: number): boolean
  /** the commit arrives by repair or catch-up: a closed epoch still takes it */
  viaRepair?: boolean
  /** whether this origin's commits are taken at all; false: STRANGER. Absent: all are. */
  admits?(originHex: string): boolean
  /** distinct commits of this origin held for this epoch (absent: not bounded here) */
  commitsFrom?(originHex: string, epoch: number): number
}

export interface RevealValidationContext {
  params: ProtocolParams
  nowMs: number
  /**
   * true when this reveal (its id), or one that already opens this origin's commit of the
   * epoch, is held: DUPLICATE, before the signature
   */
  seen?(idHex: string, originHex: string, epoch: number): boolean
  /** whether this origin's reveals are taken (a member of C_r); false: STRANGER */
  admits?(originHex: string, epoch: number): boolean
}

export interface RecoveryValidationContext {
  params: ProtocolParams
  nowMs: number
  /**
   * true when this recovery (its message id) was seen, or the epoch needs none any more
   * (a valid one is held): DUPLICATE
   */
  seen?(idHex: string, epoch: number): boolean
}

const refuseCommit = refuser(COMMIT_VERDICTS)
const refuseReveal = refuser(REVEAL_VERDICTS)
const refuseRecovery = refuser(RECOVERY_VERDICTS)

export function validateCommit(
  bytes: Uint8Array,
  ctx: CommitValidationContext,
): CommitValidationResult {
  const { params } = ctx
  const refuse = refuseCommit
  const decoded = decodeWithin(decodeCommit, bytes, params.maxMessageBytes)
  if (!('value' in decoded)) return refuse(decoded.reason, decoded.message)
  const c = decoded.value

  if (c.network !== params.network)
    return refuse('WRONG_NETWORK', `network '${c.network}', expected '${params.network}'`)
  const element = elementOr(c.c, 'c')
  if (typeof element === 'string') return refuse('BAD_ELEMENT', element)
  const expectedEpoch = Math.floor(c.timestampMs / params.epochMs)
  if (c.epoch !== expectedEpoch)
    return refuse(
      'WRONG_EPOCH',
      `epoch ${c.epoch}, but timestamp ${c.timestampMs} is in epoch ${expectedEpoch}`,
    )
  const current = Math.floor(ctx.nowMs / params.epochMs)
  if (c.epoch > current + 1)
    return refuse('EPOCH_TOO_FAR_AHEAD', `epoch ${c.epoch} is more than one ahead of ${current}`)
  if (ctx.isFinal(c.epoch)) return refuse('EPOCH_FINAL', `epoch ${c.epoch}'s commits are frozen`)
  if (ctx.viaRepair !== true && ctx.isClosed(c.epoch))
    return refuse('EPOCH_CLOSED', `epoch ${c.epoch} is closed; a commit can only arrive by repair`)

  const signingBytes = commitSigningBytes(c)
  const id = sha256(signingBytes)
  const idHex = toHex(id)
  if (ctx.seen(idHex)) return refuse('DUPLICATE', `commit ${idHex} is already held`)
  // Before the signature: the count is of verified, held commits, so forgeries cannot use
  // it up, and an equivocator's flood costs no verify.
  const originHex = toHex(c.origin)
  const held = ctx.commitsFrom?.(originHex, c.epoch) ?? 0
  if (held >= MAX_COMMITS_PER_ORIGIN)
    return refuse(
      'TOO_MANY_COMMITS',
      `origin has ${held} commits for epoch ${c.epoch} held: its equivocation is proven`,
    )
  const key = keyOf(c.origin, originHex)
  if (typeof key === 'string') return refuse('BAD_ORIGIN', key)
  if (ctx.admits !== undefined && !ctx.admits(originHex))
    return refuse('STRANGER', `origin ${originHex} is not a member here`)
  if (!verifySignature(key, signingBytes, c.signature))
    return refuse('BAD_SIGNATURE', 'signature does not verify against the origin key')
  return {
    verdict: 'accept',
    commit: { id, idHex, origin: c.origin, originHex, c: element, commit: c },
  }
}

export function validateReveal(
  bytes: Uint8Array,
  ctx: RevealValidationContext,
): RevealValidationResult {
  const { params } = ctx
  const refuse = refuseReveal
  const decoded = decodeWithin(decodeReveal, bytes, params.maxMessageBytes)
  if (!('value' in decoded)) return refuse(decoded.reason, decoded.message)
  const r = decoded.value

  if (r.network !== params.network)
    return refuse('WRONG_NETWORK', `network '${r.network}', expected '${params.network}'`)
  if (r.alpha.length !== ALPHA_BYTES)
    return refuse('ALPHA_LENGTH', `alpha is ${r.alpha.length} bytes, not ${ALPHA_BYTES}`)
  const current = Math.floor(ctx.nowMs / params.epochMs)
  if (r.epoch >= current)
    return refuse(
      'EPOCH_TOO_FAR_AHEAD',
      `reveal for epoch ${r.epoch}, which has not ended (now ${current})`,
    )

  const signingBytes = revealSigningBytes(r)
  const id = sha256(signingBytes)
  const idHex = toHex(id)
  const originHex = toHex(r.origin)
  if (ctx.seen?.(idHex, originHex, r.epoch) === true)
    return refuse('DUPLICATE', `reveal ${idHex} was seen already`)
  const key = keyOf(r.origin, originHex)
  if (typeof key === 'string') return refuse('BAD_ORIGIN', key)
  if (ctx.admits !== undefined && !ctx.admits(originHex, r.epoch))
    return refuse('STRANGER', `origin ${originHex} is not a member here`)
  if (!verifySignature(key, signingBytes, r.signature))
    return refuse('BAD_SIGNATURE', 'signature does not verify against the origin key')
  return { verdict: 'accept', reveal: { id, idHex, originHex, reveal: r } }
}

/**
 * A recovery is unsigned (its proof speaks for it), so this is all a node checks without
 * the commit set; verifyRecovery then checks it against C_r. Only the sender is known to
 * gossip, not to the message: taking members' recoveries only is the caller's.
 */
export function validateRecovery(
  bytes: Uint8Array,
  ctx: RecoveryValidationContext,
): RecoveryValidationResult {
  const { params } = ctx
  const refuse = refuseRecovery
  const decoded = decodeWithin(decodeRecovery, bytes, params.maxMessageBytes)
  if (!('value' in decoded)) return refuse(decoded.reason, decoded.message)
  const m = decoded.value

  if (m.network !== params.network)
    return refuse('WRONG_NETWORK', `network '${m.network}', expected '${params.network}'`)
  if (m.commitsDigest.length !== COMMITS_DIGEST_BYTES)
    return refuse(
      'COMMITS_DIGEST_LENGTH',
      `commits_digest is ${m.commitsDigest.length} bytes, not ${COMMITS_DIGEST_BYTES}`,
    )
  if (m.withheld.length === 0) return refuse('WITHHELD_EMPTY', 'no withheld origin')
  for (const [i, origin] of m.withheld.entries()) {
    if (origin.length === 0) return refuse('WITHHELD_EMPTY', `withheld origin ${i} is empty`)
    if (i > 0 && compareOrigins(m.withheld[i - 1] as Uint8Array, origin) >= 0)
      return refuse('WITHHELD_ORDER', `withheld origin ${i} does not follow origin ${i - 1}`)
  }
  const y = elementOr(m.y, 'y')
  if (typeof y === 'string') return refuse('BAD_ELEMENT', y)
  const proof = elementOr(m.proof, 'proof')
  if (typeof proof === 'string') return refuse('BAD_ELEMENT', proof)
  const current = Math.floor(ctx.nowMs / params.epochMs)
  if (m.epoch >= current)
    return refuse(
      'EPOCH_TOO_FAR_AHEAD',
      `recovery for epoch ${m.epoch}, which has not ended (now ${current})`,
    )

  const id = sha256(bytes)
  const idHex = toHex(id)
  if (ctx.seen?.(idHex, m.epoch) === true)
    return refuse('DUPLICATE', `recovery ${idHex} was seen, or epoch ${m.epoch} needs none`)
  return {
    verdict: 'accept',
    recovery: {
      network: m.network,
      epoch: m.epoch,
      commitsDigest: m.commitsDigest,
      withheld: m.withheld,
      y,
      proof,
      id,
      idHex,
    },
  }
}

/** The element, or why the bytes are not one. */
function elementOr(bytes: Uint8Array, what: string): bigint | string {
  try {
    return decodeElement(bytes, what)
  } catch (err) {
    if (err instanceof BadElementError) return err.message
    throw err
  }
}
