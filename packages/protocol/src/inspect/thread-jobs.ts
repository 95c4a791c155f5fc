import {
  checkSignature,
  contributionSigningBytes,
  originKey,
  type SignatureCheck,
  toHex,
  verifySignature,
} from '../signing.js'
import type { Contribution } from '../types.js'
import {
  CONTRIBUTION_VERDICTS,
  type ContributionReason,
  type ContributionRefusal,
} from '../validate-reasons.js'
import { refuser } from '../verdicts.js'
import { decodeContribution } from '../wire/codec.js'
import { type Inspection, type InspectParams, inspectContribution } from './inspect.js'

/**
 * What a verify thread does, and the packed form its work travels in (daemon
 * verify/verify-pool.ts, verify/worker.ts). A batch is one transferable ArrayBuffer: the
 * jobs' bytes back to back with their kinds and offsets, not an array of objects that
 * postMessage would structured-clone field by field (8 % of the main thread under a flood).
 * The answer is one fixed-size record per job, transferred back. Pure: the thread is a
 * shell around runThreadJobs.
 *
 * Jobs: a bare Ed25519 check (reload, a health failure to attribute), or a received
 * contribution: its stateless checks (inspect.ts) and, when the caller asks (the state
 * said it could be accepted: validate.ts worthVerifying), its signature. The record of a
 * contribution carries what the main thread cannot get cheaply: the verdict of the
 * stateless checks, the id (a SHA-256 of the signing bytes) and the signature's; origin
 * and epoch it reads itself from the bytes with readTrustedContribution (~1 µs), which it
 * needs anyway for the replica.
 */

export type ThreadJob =
  | { kind: 'signature'; check: SignatureCheck }
  | { kind: 'contribution'; bytes: Uint8Array; verify: boolean }

/** The outcome of a contribution job on the main thread: the inspection, and the signature when checked. */
export interface ContributionCheck {
  inspection: Inspection
  /** undefined: not checked (not asked, or no key) */
  signature?: boolean
}

const KIND = { signature: 1, contribution: 2, contributionVerified: 3 } as const
/** bytes of one answer record: early code, late code, signature, padding, id */
export const ANSWER_BYTES = 36
const REASONS = Object.keys(CONTRIBUTION_VERDICTS) as ContributionReason[]
const SIGNATURE_UNCHECKED = 0
const SIGNATURE_VALID = 1
const SIGNATURE_INVALID = 2

/** The jobs as one buffer: u32 count, u32 offsets[count + 1], u8 kinds[count], then the bytes. */
export function packThreadJobs(jobs: readonly ThreadJob[]): ArrayBuffer {
  const n = jobs.length
  const head = 4 + 4 * (n + 1) + n
  let size = head
  for (const job of jobs) size += payloadLength(job)
  const buffer = new ArrayBuffer(size)
  const view = new DataView(buffer)
  const bytes = new Uint8Array(buffer)
  view.setUint32(0, n)
  let at = head
  jobs.forEach((job, i) => {
    view.setUint32(4 + 4 * i, at)
    bytes[4 + 4 * (n + 1) + i] = jobKind(job)
    at = writePayload(job, view, bytes, at)
  })
  view.setUint32(4 + 4 * n, at)
  return buffer
}

/** What a verify thread does with a packed batch: one answer record per job. */
export function runThreadJobs(batch: ArrayBuffer, params: InspectParams): Uint8Array<ArrayBuffer> {
  const n = threadJobCount(batch)
  const answers = new Uint8Array(n * ANSWER_BYTES)
  for (let i = 0; i < n; i++) {
    const job = threadJob(batch, i)
    const at = i * ANSWER_BYTES
    if (job.kind === 'signature') answers[at] = checkSignature(job.check) ? 1 : 0
    else writeContribution(answers, at, job.bytes, params, job.verify)
  }
  return answers
}

export function threadJobCount(batch: ArrayBuffer): number {
  return new DataView(batch).getUint32(0)
}

/** Job `i` of a packed batch, its bytes as views of the batch (no copy). */
export function threadJob(batch: ArrayBuffer, i: number): ThreadJob {
  const view = new DataView(batch)
  const n = view.getUint32(0)
  const payload = new Uint8Array(batch, view.getUint32(4 + 4 * i)).subarray(
    0,
    view.getUint32(8 + 4 * i) - view.getUint32(4 + 4 * i),
  )
  const kind = view.getUint8(4 + 4 * (n + 1) + i)
  if (kind === KIND.signature) return { kind: 'signature', check: readCheck(payload) }
  return { kind: 'contribution', bytes: payload, verify: kind === KIND.contributionVerified }
}

/** A signature job's answer. */
export function signatureAnswer(answers: Uint8Array, i: number): boolean {
  return answers[i * ANSWER_BYTES] === 1
}

/**
 * A contribution job's answer, as the main thread uses it. `decoded`: the contribution as
 * the caller read it from the same bytes, if it did (else decoded here: a rare path).
 */
export function contributionAnswer(
  answers: Uint8Array,
  i: number,
  bytes: Uint8Array,
  decoded?: Contribution,
): ContributionCheck {
  const at = i * ANSWER_BYTES
  const early = answers[at] as number
  if (early !== 0) return { inspection: threadRefusal(early) }
  const c = decoded ?? decodeContribution(bytes)
  const id = answers.slice(at + 4, at + ANSWER_BYTES)
  const contribution = { id, idHex: toHex(id), originHex: toHex(c.origin), contribution: c }
  const lateCode = answers[at + 1] as number
  const late = lateCode === 0 ? undefined : threadRefusal(lateCode)
  const badOrigin = late?.reason === 'BAD_ORIGIN' ? late : undefined
  const unhealthy = late?.reason === 'BAD_ORIGIN' ? undefined : late
  const inspection: Inspection = {
    verdict: 'inspected',
    contribution,
    originRefusal: () => badOrigin,
    healthRefusal: () => unhealthy,
  }
  const signature = answers[at + 2] as number
  return signature === SIGNATURE_UNCHECKED
    ? { inspection }
    : { inspection, signature: signature === SIGNATURE_VALID }
}

/**
 * A contribution job done where it is asked (the main thread, for a lone message): the
 * same checks as a thread's, with the refusals' full messages.
 */
export function checkContributionHere(
  bytes: Uint8Array,
  params: InspectParams,
  verify: boolean,
): ContributionCheck {
  const inspection = inspectContribution(bytes, params)
  const signature = verify ? signatureOf(inspection) : undefined
  return signature === undefined ? { inspection } : { inspection, signature }
}

/**
 * The signature of an inspected contribution, when it has a key: also when its bits fail
 * the health tests, since a failure is counted against an origin only if it really signed
 * the bits (or anyone could blame it).
 */
function signatureOf(inspection: Inspection): boolean | undefined {
  if (inspection.verdict !== 'inspected' || inspection.originRefusal() !== undefined)
    return undefined
  const v = inspection.contribution
  const c = v.contribution
  const message = inspection.signingBytes ?? contributionSigningBytes(c)
  return verifySignature(originKey(c.origin, v.originHex), message, c.signature)
}

function writeContribution(
  answers: Uint8Array,
  at: number,
  payload: Uint8Array,
  params: InspectParams,
  verify: boolean,
): void {
  const { inspection, signature } = checkContributionHere(payload, params, verify)
  if (inspection.verdict !== 'inspected') {
    answers[at] = codeOf(inspection)
    return
  }
  // the first late refusal: BAD_ORIGIN comes before the health tests (and has no key to verify)
  const late = inspection.originRefusal() ?? inspection.healthRefusal()
  if (late !== undefined) answers[at + 1] = codeOf(late)
  answers[at + 2] =
    signature === undefined ? SIGNATURE_UNCHECKED : signature ? SIGNATURE_VALID : SIGNATURE_INVALID
  answers.set(inspection.contribution.id, at + 4)
}

const codeOf = (refusal: ContributionRefusal): number => REASONS.indexOf(refusal.reason) + 1

const refuse = refuser(CONTRIBUTION_VERDICTS)
function threadRefusal(code: number): ContributionRefusal {
  const reason = REASONS[code - 1]
  if (reason === undefined) throw new RangeError(`no contribution reason has the code ${code}`)
  return refuse(reason, `${reason} (found by a verify thread)`)
}

function jobKind(job: ThreadJob): number {
  if (job.kind === 'signature') return KIND.signature
  return job.verify ? KIND.contributionVerified : KIND.contribution
}

function payloadLength(job: ThreadJob): number {
  if (job.kind === 'contribution') return job.bytes.length
  return 8 + job.check.origin.length + job.check.signature.length + job.check.message.length
}

/** A signature check as u32 origin length, origin, u32 signature length, signature, message. */
function writePayload(job: ThreadJob, view: DataView, bytes: Uint8Array, at: number): number {
  if (job.kind === 'contribution') {
    bytes.set(job.bytes, at)
    return at + job.bytes.length
  }
  let next = at
  for (const field of [job.check.origin, job.check.signature]) {
    view.setUint32(next, field.length)
    bytes.set(field, next + 4)
    next += 4 + field.length
  }
  bytes.set(job.check.message, next)
  return next + job.check.message.length
}

function readCheck(payload: Uint8Array): SignatureCheck {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  const originEnd = 4 + view.getUint32(0)
  const signatureEnd = originEnd + 4 + view.getUint32(originEnd)
  return {
    origin: payload.subarray(4, originEnd),
    signature: payload.subarray(originEnd + 4, signatureEnd),
    message: payload.subarray(signatureEnd),
  }
}
