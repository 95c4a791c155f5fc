import {
  type Contribution,
  type ContributionCheck,
  precheckContribution,
  precheckInspected,
  readTrustedContribution,
  settleContribution,
  signatureCheckOf,
  toHex,
  type ValidationContext,
  type ValidationResult,
  type Verdict,
  type VerifiedContribution,
  worthVerifying,
} from '@alara/protocol'
import type { AlaraComponents } from '../components.js'
import { VerifyPoolBusyError, VerifyPoolStoppedError } from '../errors.js'
import type { ContributionChecker } from '../verify/checker.js'

/**
 * The verdict on one received contribution, the work split between the main thread and a
 * verify thread (docs/PROTOCOL.md "Validation", "The receive path on two threads"):
 *
 * 1. here, ~1 µs: a peek at its origin and epoch (readTrustedContribution, a hint only,
 *    never trusted for the verdict) and whether the state could still take it
 *    (worthVerifying: epoch open, quota not full, a member). If not (a stranger's, a late
 *    or an over-quota message), it is judged here at once (precheckContribution: a decode,
 *    no health tests, no verify), as before the split: a stranger's flood starts no
 *    thread (~10–45 MB each) and never reaches one;
 * 2. on a verify thread, in a batch: the stateless checks (decode, canonical encoding,
 *    shape, id, origin key, health tests) and the signature;
 * 3. here: the state's verdict on the thread's answer (precheckInspected, then
 *    settleContribution), in the documented order.
 *
 * One hop, not two (inspect → state → signature): the peek gives step 1 what the state
 * checks need, so the main thread handles each message once. When the state moved between
 * 1 and 3 so that a signature is needed after all (bytes the peek could not read, a trust
 * change while queued), it is verified then, like a lone check.
 */

/** A refusal: protocol's `Verdict` other than accept, with the protocol's reason. */
export type Refused = { verdict: Exclude<Verdict, 'accept'>; reason: string }

export type Judgement = { verdict: 'accept'; v: VerifiedContribution } | Refused

export function validationContext(
  components: AlaraComponents,
  viaRepair: boolean,
): ValidationContext {
  const { params, state, now, trust } = components
  const replica = state.replica
  const nowMs = now()
  return {
    params,
    nowMs,
    seen: (idHex) => replica.has(idHex),
    countFor: (originHex, epoch) => replica.storedCountOf(originHex, epoch),
    isClosed: (epoch) => state.isClosed(epoch, nowMs),
    isFinal: (epoch) => replica.isFinal(epoch),
    viaRepair,
    // strangers cost a decode only: ignored before the signature (docs/PROTOCOL.md)
    admits: (originHex) => trust.admits(originHex),
  }
}

export async function judgeContribution(
  components: AlaraComponents,
  checker: ContributionChecker,
  data: Uint8Array,
  { viaRepair, source }: { viaRepair: boolean; source: string },
): Promise<Judgement> {
  // a job the pool would shed is not worth the peek before it
  if (checker.hasRoomFor?.(source) === false) return BUSY
  const decoded = peek(data, components.params.maxMessageBytes)
  if (decoded !== undefined) {
    const ctx = validationContext(components, viaRepair)
    // refused by the state whatever its signature (a stranger's, late, over quota): judged
    // here, as cheaply as before the split (no health tests), and a stranger's flood
    // starts no thread (each costs ~10–45 MB)
    if (!worthVerifying(toHex(decoded.origin), decoded.epoch, ctx)) {
      const here = precheckContribution(data, ctx)
      if (here.verdict !== 'pending') return { verdict: here.verdict, reason: here.reason }
    }
  }
  const verify = decoded !== undefined
  const checked = await unlessOverloaded(checker.checkContribution(data, verify, source, decoded))
  if ('verdict' in checked) return checked
  const check = checked.value
  const after = validationContext(components, viaRepair)
  const pre = precheckInspected(check.inspection, after)
  if (pre.verdict !== 'pending') {
    if (pre.reason === 'HEALTH_RCT' || pre.reason === 'HEALTH_APT')
      await countHealthFailure(components, checker, check)
    return { verdict: pre.verdict, reason: pre.reason }
  }
  // the thread verified it: the state is the one just read
  if (check.signature !== undefined) return judged(settleContribution(pre, check.signature, after))
  const verified = await unlessOverloaded(checker.verify(signatureCheckOf(pre), source))
  if ('verdict' in verified) return verified
  return judged(settleContribution(pre, verified.value, validationContext(components, viaRepair)))
}

function judged(result: ValidationResult): Judgement {
  return result.verdict === 'accept'
    ? { verdict: 'accept', v: result.contribution }
    : { verdict: result.verdict, reason: result.reason }
}

const BUSY: Refused = { verdict: 'ignore', reason: 'BUSY' }
const STOPPING: Refused = { verdict: 'ignore', reason: 'STOPPING' }

/** The contribution's fields if the bytes read as one (any error: no hint, the thread judges). */
function peek(data: Uint8Array, maxMessageBytes: number): Contribution | undefined {
  if (data.length > maxMessageBytes) return undefined
  try {
    return readTrustedContribution(data)
  } catch {
    return undefined
  }
}

/**
 * Overload (queue full) or shutdown: not judged, so ignored (no penalty, not forwarded);
 * an honest contribution shed here comes back by repair.
 */
async function unlessOverloaded<T>(work: Promise<T>): Promise<{ value: T } | Refused> {
  try {
    return { value: await work }
  } catch (err) {
    if (err instanceof VerifyPoolBusyError) return BUSY
    if (err instanceof VerifyPoolStoppedError) return STOPPING
    throw err
  }
}

/**
 * Health tests run before the signature check (they are cheaper); a failure is counted
 * against an origin only when the origin really signed it, or anyone could blame it. The
 * thread verified it with the tests when the state asked for a signature; otherwise here.
 */
async function countHealthFailure(
  components: AlaraComponents,
  checker: ContributionChecker,
  check: ContributionCheck,
): Promise<void> {
  const { inspection } = check
  if (inspection.verdict !== 'inspected') return
  const v = inspection.contribution
  const valid =
    check.signature ??
    (await checker
      .verify(signatureCheckOf({ verdict: 'pending', contribution: v }))
      .catch(() => false))
  // forged: not counted (the reject already costs the sender its score)
  if (valid) components.state.addHealthFailure(v.originHex, v.contribution.epoch)
}
