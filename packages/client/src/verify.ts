import {
  beaconOutcome,
  checkReveals,
  commitSet,
  commitSigningBytes,
  compareOrigins,
  type EpochCommit,
  GID,
  type Recovery,
  type RevealInput,
  revealSigningBytes,
  verifyTimelockGenerator,
} from '@alara/protocol/beacon'
import {
  type Contribution,
  contributionId,
  contributionSigningBytes,
  decodeCommit,
  decodeContribution,
  decodeRecovery,
  decodeReveal,
  encodeCommit,
  encodeContribution,
  encodeRecovery,
  encodeReveal,
  epochBeacon,
  epochDigest,
  type PublicBeaconAnswer,
  type SharedBeaconStatus,
} from '@alara/protocol/wire'
import { compare as compareBytes } from 'uint8arrays/compare'
import { equals as bytesEqual } from 'uint8arrays/equals'
import { VerifyError } from './errors.js'
import { fromHex, toHex } from './hex.js'
import { canonical, element, peerIdOf, sameList, signed, verifyEd25519 } from './verify-messages.js'

/**
 * Checks a public beacon answer the way DESIGN.md defines it, trusting nothing of the
 * server but the bytes of the signed messages, with @alara/protocol's own code for every
 * layout, hash and group operation (its browser-safe entries `/wire` and `/beacon`), and
 * WebCrypto for the Ed25519 signatures, so this runs unchanged in Node 22 and in browsers.
 *
 * - Each message decoded canonically (decode then encode gives the same bytes), of the
 *   expected network and epoch, signed by its origin's Ed25519 key.
 * - The shared beacon Ω_r (version 2): C_r's commits strictly ascending by origin, D_r
 *   recomputed; the reveals checked against C_r (the aggregate check, one by one when it
 *   fails); the recovery's Wesolowski proof for the withheld members; Y and Ω_r computed
 *   with h = g^(2^T), itself checked against its proof (verifyInfo). The status, Ω_r,
 *   D_r and the withheld members the server claims must be the ones computed.
 * - Equivocators: both signed commits checked, same origin and epoch, different commits.
 * - The pool beacon (version 1): contribution ids strictly ascending, the epoch digest and
 *   the pool beacon recomputed.
 * What no answer can prove is that C_r or the contributions are complete: that is the
 * network's votes' business (a source could leave a member out); ask several sources.
 */

export type SharedStatus = SharedBeaconStatus

/** The JSON of `GET /public/{epoch}` as a server sends it (unchecked). */
export type BeaconAnswer = PublicBeaconAnswer

/** A beacon that has been verified: every field recomputed from the signed messages. */
export interface VerifiedBeacon {
  network: string
  epoch: number
  /** Ω_r, lowercase hex, when revealed or recovered */
  beacon?: string
  status: SharedStatus
  /** D_r, hex, when C_r has members */
  commitsDigest?: string
  /** peer ids of C_r's members, in origin order */
  commits: string[]
  /** peer ids of the members without a valid reveal */
  withheld: string[]
  /** peer ids of origins that signed two commits (both checked) */
  equivocating: string[]
  /** the pool beacon (version 1), hex, when something was folded */
  poolBeacon?: string
  digest: string
  count: number
  /** contribution ids (hex), ascending */
  ids: string[]
  /** the signed contributions, decoded, in id order */
  contributions: Contribution[]
}

/** The network's parameters, as `/public/info` gives them once verified (verifyInfo). */
export interface Expected {
  network: string
  /** the epoch asked for; absent for `latest` */
  epoch?: number
  /** T, the time-lock's squarings */
  timelockSquarings: number
  /** h = g^(2^T), checked against its proof */
  h: bigint
}

/**
 * h and its proof from `/public/info` (hex of 256 bytes each) checked for T and GID: the
 * group is the one this client knows, and h = g^(2^T) by Wesolowski's proof (milliseconds).
 */
export function verifyTimelockInfo(info: {
  timelockSquarings: unknown
  h: unknown
  hProof: unknown
  gid: unknown
}): { timelockSquarings: number; h: bigint } {
  const T = info.timelockSquarings
  if (!Number.isSafeInteger(T) || (T as number) < 1)
    throw new VerifyError('/public/info has no valid timelockSquarings (a node of version 2?)')
  if (info.gid !== toHex(GID))
    throw new VerifyError(`/public/info names group ${String(info.gid)}, not RSA-2048's`)
  const h = element(info.h, 'h')
  const proof = element(info.hProof, "h's proof")
  if (!verifyTimelockGenerator({ T: T as number, h, proof }))
    throw new VerifyError(`h is not g^(2^${T}): its proof does not verify`)
  return { timelockSquarings: T as number, h }
}

export async function verifyBeaconAnswer(
  answer: unknown,
  expected: Expected,
): Promise<VerifiedBeacon> {
  const a = checkShape(answer)
  if (expected.epoch !== undefined && a.epoch !== expected.epoch)
    throw new VerifyError(`asked for epoch ${expected.epoch}, got epoch ${a.epoch}`)
  const ctx: Context = { network: expected.network, epoch: a.epoch }
  const pool = await refusing(() => verifyPool(a, ctx))
  const shared = await refusing(() => verifyShared(a, ctx, expected))
  if (pool.poolBeacon === undefined && shared.status === 'none')
    throw new VerifyError(`epoch ${a.epoch} has no contribution and no commit, so no beacon`)
  return { network: expected.network, epoch: a.epoch, ...shared, ...pool }
}

/** Whatever the protocol's code throws at a bad answer is the answer's fault: ERR_VERIFY. */
async function refusing<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof VerifyError) throw err
    throw new VerifyError((err as Error).message, { cause: err })
  }
}

interface Context {
  network: string
  epoch: number
}

type PoolPart = Pick<VerifiedBeacon, 'poolBeacon' | 'digest' | 'count' | 'ids' | 'contributions'>
type SharedPart = Pick<
  VerifiedBeacon,
  'beacon' | 'status' | 'commitsDigest' | 'commits' | 'withheld' | 'equivocating'
>

async function verifyPool(a: BeaconAnswer, ctx: Context): Promise<PoolPart> {
  if (a.count !== a.contributions.length)
    throw new VerifyError(`count is ${a.count} but ${a.contributions.length} contributions came`)
  const contributions: Contribution[] = []
  const ids: Uint8Array[] = []
  for (const [i, hex] of a.contributions.entries()) {
    const what = `contribution ${i}`
    const c = signed(hex, what, ctx, decodeContribution, encodeContribution)
    const id = contributionId(c)
    if (!(await verifyEd25519(c.origin, c.signature, contributionSigningBytes(c))))
      throw new VerifyError(`${what} (${toHex(id)}): the signature does not verify`)
    const before = ids[ids.length - 1]
    if (before !== undefined && compareBytes(before, id) >= 0)
      throw new VerifyError(`${what} (${toHex(id)}) is out of id order or repeated`)
    ids.push(id)
    contributions.push(c)
  }
  const digest = epochDigest(ctx.network, ctx.epoch, ids)
  if (toHex(digest) !== a.digest)
    throw new VerifyError(`epoch ${ctx.epoch}: the digest does not match the contributions`)
  let poolBeacon: string | undefined
  if (ids.length > 0)
    poolBeacon = toHex(
      epochBeacon(
        ctx.network,
        ctx.epoch,
        digest,
        contributions.map((c) => c.bits),
      ),
    )
  if (poolBeacon !== a.poolBeacon)
    throw new VerifyError(`epoch ${ctx.epoch}: the pool beacon does not match the contributions`)
  return {
    ...(poolBeacon === undefined ? {} : { poolBeacon }),
    digest: a.digest,
    count: a.count,
    ids: ids.map(toHex),
    contributions,
  }
}

async function verifyShared(
  a: BeaconAnswer,
  ctx: Context,
  expected: Expected,
): Promise<SharedPart> {
  const equivocating = await verifyEquivocations(a, ctx)
  const commits: EpochCommit[] = []
  for (const [i, hex] of a.commits.entries()) {
    const what = `commit ${i}`
    const m = signed(hex, what, ctx, decodeCommit, encodeCommit)
    if (!(await verifyEd25519(m.origin, m.signature, commitSigningBytes(m))))
      throw new VerifyError(`${what}: the signature does not verify`)
    const before = commits[commits.length - 1]
    if (before !== undefined && compareOrigins(before.origin, m.origin) >= 0)
      throw new VerifyError(`${what} is out of origin order or repeated`)
    commits.push({ origin: m.origin, c: element(toHex(m.c), `${what}'s c`) })
  }
  if (commits.length === 0) {
    if (a.reveals.length > 0 || a.recovery !== undefined || a.withheld.length > 0)
      throw new VerifyError(`epoch ${ctx.epoch}: reveals or a recovery without commits`)
    if (a.beacon !== undefined || a.commitsDigest !== undefined)
      throw new VerifyError(`epoch ${ctx.epoch}: a shared beacon without commits`)
    // not frozen at the source (it was away): nothing to check yet
    if (a.status !== 'none' && a.status !== 'pending')
      throw new VerifyError(`epoch ${ctx.epoch} is '${a.status}' without commits`)
    return { status: a.status, commits: [], withheld: [], equivocating }
  }
  const set = commitSet(ctx.network, expected.timelockSquarings, ctx.epoch, commits)
  if (toHex(set.digest) !== a.commitsDigest)
    throw new VerifyError(`epoch ${ctx.epoch}: commitsDigest is not D_r of the commits`)
  const members = new Set(set.members.map((m) => m.originHex))
  const reveals: RevealInput[] = []
  for (const [i, hex] of a.reveals.entries()) {
    const what = `reveal ${i}`
    const m = signed(hex, what, ctx, decodeReveal, encodeReveal)
    if (!members.has(toHex(m.origin))) throw new VerifyError(`${what} is of an origin outside C_r`)
    if (!(await verifyEd25519(m.origin, m.signature, revealSigningBytes(m))))
      throw new VerifyError(`${what}: the signature does not verify`)
    const before = reveals[reveals.length - 1]
    if (before !== undefined && compareOrigins(before.origin, m.origin) >= 0)
      throw new VerifyError(`${what} is out of origin order or repeated`)
    reveals.push({ origin: m.origin, alpha: m.alpha })
  }
  let recovery: Recovery | undefined
  if (a.recovery !== undefined) {
    const m = canonical(a.recovery, 'the recovery', decodeRecovery, encodeRecovery)
    if (m.network !== ctx.network || m.epoch !== ctx.epoch)
      throw new VerifyError(
        `the recovery is of ${m.network}/${m.epoch}, not ${ctx.network}/${ctx.epoch}`,
      )
    recovery = {
      commitsDigest: m.commitsDigest,
      withheld: m.withheld,
      y: element(toHex(m.y), "the recovery's y"),
      proof: element(toHex(m.proof), "the recovery's proof"),
    }
  }
  const outcome = beaconOutcome(set, expected.h, checkReveals(set, reveals), recovery)
  if (recovery !== undefined && outcome.status !== 'recovered')
    throw new VerifyError(`epoch ${ctx.epoch}: the recovery does not verify or is not needed`)
  const beacon = outcome.status === 'pending' ? undefined : toHex(outcome.beacon)
  if (a.status !== outcome.status)
    throw new VerifyError(
      `epoch ${ctx.epoch} is '${outcome.status}' by its messages, not '${a.status}'`,
    )
  if (a.beacon !== beacon)
    throw new VerifyError(`epoch ${ctx.epoch}: the beacon is not Ω_r of its commits and reveals`)
  const withheld = outcome.withheld.map((hex) => peerIdOf(fromHex(hex) as Uint8Array))
  if (!sameList(withheld, a.withheld))
    throw new VerifyError(`epoch ${ctx.epoch}: withheld is not who has no valid reveal`)
  return {
    ...(beacon === undefined ? {} : { beacon }),
    status: outcome.status,
    commitsDigest: toHex(set.digest),
    commits: set.members.map((m) => peerIdOf(m.origin)),
    withheld,
    equivocating,
  }
}

/** Each equivocator: two signed commits of its origin for the epoch, different ones. */
async function verifyEquivocations(a: BeaconAnswer, ctx: Context): Promise<string[]> {
  const out: string[] = []
  for (const [i, e] of a.equivocating.entries()) {
    const what = `equivocation ${i}`
    if (e.commits.length !== 2) throw new VerifyError(`${what}: two commits are the evidence`)
    const [x, y] = e.commits.map((hex, j) =>
      signed(hex, `${what}/${j}`, ctx, decodeCommit, encodeCommit),
    )
    if (x === undefined || y === undefined || !bytesEqual(x.origin, y.origin))
      throw new VerifyError(`${what}: the two commits are of different origins`)
    if (e.commits[0] === e.commits[1]) throw new VerifyError(`${what}: the two commits are one`)
    for (const m of [x, y])
      if (!(await verifyEd25519(m.origin, m.signature, commitSigningBytes(m))))
        throw new VerifyError(`${what}: a signature does not verify`)
    const peerId = peerIdOf(x.origin)
    if (peerId !== e.peerId) throw new VerifyError(`${what}: the commits are not ${e.peerId}'s`)
    out.push(peerId)
  }
  return out
}

function checkShape(answer: unknown): BeaconAnswer {
  const a = answer as Partial<BeaconAnswer> | null
  const hex32 = (v: unknown): boolean => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)
  const optional = (v: unknown): boolean => v === undefined || hex32(v)
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string')
  if (
    typeof a !== 'object' ||
    a === null ||
    !Number.isSafeInteger(a.epoch) ||
    (a.epoch as number) < 0 ||
    !optional(a.beacon) ||
    !['pending', 'revealed', 'recovered', 'none'].includes(a.status as string) ||
    !optional(a.commitsDigest) ||
    !strings(a.commits) ||
    !strings(a.reveals) ||
    !(a.recovery === undefined || typeof a.recovery === 'string') ||
    !strings(a.withheld) ||
    !Array.isArray(a.equivocating) ||
    !a.equivocating.every((e) => typeof e?.peerId === 'string' && strings(e.commits)) ||
    !optional(a.poolBeacon) ||
    !hex32(a.digest) ||
    !Number.isSafeInteger(a.count) ||
    !strings(a.contributions)
  )
    throw new VerifyError(
      'the answer is not a beacon document { epoch, beacon, status, commitsDigest, commits, reveals, recovery, withheld, equivocating, poolBeacon, digest, count, contributions }',
    )
  return a as BeaconAnswer
}
