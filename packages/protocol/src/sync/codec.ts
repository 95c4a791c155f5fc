import { DecodeError, InvalidInputError } from '../errors.js'
import type { EpochSummary } from '../replica/index.js'
import * as pb from './sync.js'

/**
 * The sync protocol's messages (sync.proto), bounded. Every frame a peer sends is
 * checked against these limits before and while it is parsed, so a hostile peer cannot
 * make a node allocate more than one frame's worth, and answers are cut to fit.
 */
export const SYNC_PROTOCOL = '/alara/sync/1.0.0'

export const SYNC_LIMITS = Object.freeze({
  /** largest answer frame an asker reads (and anything is encoded into) */
  maxFrameBytes: 4 * 1024 * 1024,
  /** largest request frame a responder reads: a CONTRIBUTIONS request of maxIds ids fits */
  maxRequestBytes: 160 * 1024,
  /**
   * an answer's page: a responder cuts contributions, votes and summaries to this many
   * bytes and says where to go on (next_cursor), so a slow reader holds one page at most
   */
  pageBytes: 256 * 1024,
  /** a cursor's length (a responder's own: an epoch and an origin at most) */
  maxCursorBytes: 72,
  /** ids in one CONTRIBUTIONS request, and in one IDS page */
  maxIds: 4096,
  /** contributions in one answer; the asker asks again for the rest */
  maxContributions: 1024,
  /** epochs spanned by one SUMMARIES or VOTES request */
  maxEpochSpan: 10_000,
  /** votes in one answer */
  maxVotes: 16_384,
  /** commits, and reveals, in one BEACON answer (two commits per origin at most) */
  maxBeaconMessages: 2048,
})

/** `cursor`: absent or empty from the start, else a `nextCursor` the responder gave. */
export type SyncRequest = (
  | { kind: 'summaries'; network: string; fromEpoch: number; toEpoch: number }
  | { kind: 'ids'; network: string; epoch: number }
  /** the ids behind `digest` (sorted), from whoever knows them: the asker checks them */
  | { kind: 'behind'; network: string; epoch: number; digest: Uint8Array }
  | { kind: 'contributions'; network: string; ids: Uint8Array[] }
  | { kind: 'votes'; network: string; fromEpoch: number; toEpoch: number }
  /**
   * version 2, one epoch: commits (those behind `digest`, a held-commits digest, when the
   * responder knows them; else every commit it holds), reveals and the recovery
   */
  | { kind: 'beacon'; network: string; epoch: number; digest?: Uint8Array }
) & { cursor?: Uint8Array }

/** What a SUMMARIES answer carries per epoch: the replica's own summary. */
export type SyncEpochSummary = EpochSummary

export type SyncStatus = 'ok' | 'bad-request' | 'wrong-network' | 'too-large'

export interface SyncResponse {
  status: SyncStatus
  error: string
  summaries: SyncEpochSummary[]
  ids: Uint8Array[]
  /** encoded Contribution messages */
  contributions: Uint8Array[]
  /** encoded Vote messages */
  votes: Uint8Array[]
  /** empty: the answer is complete; else ask the same again with `cursor` = this */
  nextCursor: Uint8Array
  /** BEACON: encoded Commit, Reveal and Recovery messages */
  commits: Uint8Array[]
  reveals: Uint8Array[]
  recoveries: Uint8Array[]
}

const KIND_TO_WIRE = {
  summaries: pb.SyncRequest.Kind.SUMMARIES,
  ids: pb.SyncRequest.Kind.IDS,
  behind: pb.SyncRequest.Kind.BEHIND,
  contributions: pb.SyncRequest.Kind.CONTRIBUTIONS,
  votes: pb.SyncRequest.Kind.VOTES,
  beacon: pb.SyncRequest.Kind.BEACON,
} as const

const STATUS_TO_WIRE = {
  ok: pb.SyncResponse.Status.OK,
  'bad-request': pb.SyncResponse.Status.BAD_REQUEST,
  'wrong-network': pb.SyncResponse.Status.WRONG_NETWORK,
  'too-large': pb.SyncResponse.Status.TOO_LARGE,
} as const

const STATUS_FROM_WIRE = new Map<string, SyncStatus>(
  Object.entries(STATUS_TO_WIRE).map(([k, v]) => [String(v), k as SyncStatus]),
)

export function encodeSyncRequest(req: SyncRequest): Uint8Array {
  if (!Object.hasOwn(KIND_TO_WIRE, req.kind))
    throw new InvalidInputError(`unknown sync request kind '${String(req.kind)}'`)
  if ('fromEpoch' in req) {
    checkU64(req.fromEpoch, 'fromEpoch')
    checkU64(req.toEpoch, 'toEpoch')
  }
  if ('epoch' in req) checkU64(req.epoch, 'epoch')
  checkRequest(req, (m) => new InvalidInputError(m))
  return checkFrame(
    SYNC_LIMITS.maxRequestBytes,
    pb.SyncRequest.encode({
      kind: KIND_TO_WIRE[req.kind],
      network: req.network,
      fromEpoch: 'fromEpoch' in req ? BigInt(req.fromEpoch) : 0n,
      toEpoch: 'toEpoch' in req ? BigInt(req.toEpoch) : 0n,
      epoch: 'epoch' in req ? BigInt(req.epoch) : 0n,
      ids: req.kind === 'contributions' ? (req.ids as Array<Uint8Array<ArrayBuffer>>) : [],
      cursor: (req.cursor ?? new Uint8Array(0)) as Uint8Array<ArrayBuffer>,
      digest: ('digest' in req && req.digest !== undefined
        ? req.digest
        : new Uint8Array(0)) as Uint8Array<ArrayBuffer>,
    }),
  )
}

export function decodeSyncRequest(bytes: Uint8Array): SyncRequest {
  if (bytes.length > SYNC_LIMITS.maxRequestBytes) throw new DecodeError('sync request too large')
  const m = parse(() => pb.SyncRequest.decode(bytes, { limits: { ids: SYNC_LIMITS.maxIds } }))
  const network = m.network
  let req: SyncRequest
  switch (m.kind) {
    case pb.SyncRequest.Kind.SUMMARIES:
    case pb.SyncRequest.Kind.VOTES:
      req = {
        kind: m.kind === pb.SyncRequest.Kind.SUMMARIES ? 'summaries' : 'votes',
        network,
        fromEpoch: u64(m.fromEpoch, 'from_epoch'),
        toEpoch: u64(m.toEpoch, 'to_epoch'),
      }
      break
    case pb.SyncRequest.Kind.IDS:
      req = { kind: 'ids', network, epoch: u64(m.epoch, 'epoch') }
      break
    case pb.SyncRequest.Kind.BEHIND:
      req = {
        kind: 'behind',
        network,
        epoch: u64(m.epoch, 'epoch'),
        digest: new Uint8Array(m.digest),
      }
      break
    case pb.SyncRequest.Kind.BEACON:
      req = { kind: 'beacon', network, epoch: u64(m.epoch, 'epoch') }
      if (m.digest.length > 0) req.digest = new Uint8Array(m.digest)
      break
    case pb.SyncRequest.Kind.CONTRIBUTIONS:
      req = { kind: 'contributions', network, ids: m.ids.map((id) => new Uint8Array(id)) }
      break
    default:
      throw new DecodeError(`unknown sync request kind ${String(m.kind)}`)
  }
  if (m.cursor.length > 0) req.cursor = new Uint8Array(m.cursor)
  checkRequest(req, (msg) => new DecodeError(msg))
  return req
}

export function encodeSyncResponse(
  res: Partial<SyncResponse> & { status: SyncStatus },
): Uint8Array {
  if (!Object.hasOwn(STATUS_TO_WIRE, res.status))
    throw new InvalidInputError(`unknown sync status '${String(res.status)}'`)
  const fail = (m: string) => new InvalidInputError(m)
  checkCount(res.summaries?.length ?? 0, SYNC_LIMITS.maxEpochSpan, 'summaries', fail)
  checkCount(res.ids?.length ?? 0, SYNC_LIMITS.maxIds, 'ids', fail)
  checkCount(res.contributions?.length ?? 0, SYNC_LIMITS.maxContributions, 'contributions', fail)
  checkCount(res.votes?.length ?? 0, SYNC_LIMITS.maxVotes, 'votes', fail)
  checkCount(res.commits?.length ?? 0, SYNC_LIMITS.maxBeaconMessages, 'commits', fail)
  checkCount(res.reveals?.length ?? 0, SYNC_LIMITS.maxBeaconMessages, 'reveals', fail)
  checkCount(res.recoveries?.length ?? 0, 1, 'recoveries', fail)
  for (const id of res.ids ?? [])
    if (id.length !== 32) throw fail('sync response id is not 32 bytes')
  checkCursor(res.nextCursor, fail)
  for (const s of res.summaries ?? []) {
    checkU64(s.epoch, 'summary epoch')
    for (const [field, n] of [
      ['count', s.count],
      ['stored', s.stored],
    ] as const)
      if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff)
        throw fail(`sync summary ${field} must be an integer in 0..2^32-1, got ${n}`)
    if (s.digest.length !== 32 || s.storedDigest.length !== 32)
      throw fail('sync summary digest is not 32 bytes')
  }
  return checkFrame(
    SYNC_LIMITS.maxFrameBytes,
    pb.SyncResponse.encode({
      status: STATUS_TO_WIRE[res.status],
      error: res.error ?? '',
      summaries: (res.summaries ?? []).map((s) => ({
        epoch: BigInt(s.epoch),
        digest: s.digest as Uint8Array<ArrayBuffer>,
        count: s.count,
        stored: s.stored,
        final: s.final,
        storedDigest: s.storedDigest as Uint8Array<ArrayBuffer>,
      })),
      ids: (res.ids ?? []) as Array<Uint8Array<ArrayBuffer>>,
      contributions: (res.contributions ?? []) as Array<Uint8Array<ArrayBuffer>>,
      votes: (res.votes ?? []) as Array<Uint8Array<ArrayBuffer>>,
      nextCursor: (res.nextCursor ?? new Uint8Array(0)) as Uint8Array<ArrayBuffer>,
      commits: (res.commits ?? []) as Array<Uint8Array<ArrayBuffer>>,
      reveals: (res.reveals ?? []) as Array<Uint8Array<ArrayBuffer>>,
      recoveries: (res.recoveries ?? []) as Array<Uint8Array<ArrayBuffer>>,
    }),
  )
}

export function decodeSyncResponse(bytes: Uint8Array): SyncResponse {
  if (bytes.length > SYNC_LIMITS.maxFrameBytes) throw new DecodeError('sync response too large')
  const m = parse(() =>
    pb.SyncResponse.decode(bytes, {
      limits: {
        summaries: SYNC_LIMITS.maxEpochSpan,
        ids: SYNC_LIMITS.maxIds,
        contributions: SYNC_LIMITS.maxContributions,
        votes: SYNC_LIMITS.maxVotes,
        commits: SYNC_LIMITS.maxBeaconMessages,
        reveals: SYNC_LIMITS.maxBeaconMessages,
        recoveries: 1,
      },
    }),
  )
  const status = STATUS_FROM_WIRE.get(String(m.status))
  if (status === undefined) throw new DecodeError(`unknown sync status ${String(m.status)}`)
  for (const id of m.ids)
    if (id.length !== 32) throw new DecodeError('sync response id is not 32 bytes')
  checkCursor(m.nextCursor, (msg) => new DecodeError(msg))
  return {
    status,
    error: m.error,
    summaries: m.summaries.map((s) => {
      if (s.digest.length !== 32 || s.storedDigest.length !== 32)
        throw new DecodeError('sync summary digest is not 32 bytes')
      return {
        epoch: u64(s.epoch, 'epoch'),
        digest: new Uint8Array(s.digest),
        count: s.count,
        stored: s.stored,
        storedDigest: new Uint8Array(s.storedDigest),
        final: s.final,
      }
    }),
    ids: m.ids.map((id) => new Uint8Array(id)),
    contributions: m.contributions.map((c) => new Uint8Array(c)),
    votes: m.votes.map((v) => new Uint8Array(v)),
    nextCursor: new Uint8Array(m.nextCursor),
    commits: m.commits.map((c) => new Uint8Array(c)),
    reveals: m.reveals.map((r) => new Uint8Array(r)),
    recoveries: m.recoveries.map((r) => new Uint8Array(r)),
  }
}

function checkRequest(req: SyncRequest, fail: (m: string) => Error): void {
  if (req.network.length === 0) throw fail('sync request has no network')
  checkCursor(req.cursor, fail)
  if (req.kind === 'summaries' || req.kind === 'votes') {
    if (req.toEpoch < req.fromEpoch) throw fail('sync request to_epoch is before from_epoch')
    if (req.toEpoch - req.fromEpoch + 1 > SYNC_LIMITS.maxEpochSpan)
      throw fail(`sync request spans more than ${SYNC_LIMITS.maxEpochSpan} epochs`)
  }
  if (req.kind === 'behind' && req.digest.length !== 32)
    throw fail('sync request digest is not 32 bytes')
  if (req.kind === 'beacon' && req.digest !== undefined && req.digest.length !== 32)
    throw fail('sync request digest is not 32 bytes')
  if (req.kind === 'contributions') {
    if (req.ids.length === 0) throw fail('sync request asks for no ids')
    if (req.ids.length > SYNC_LIMITS.maxIds)
      throw fail(`sync request asks for more than ${SYNC_LIMITS.maxIds} ids`)
    for (const id of req.ids) if (id.length !== 32) throw fail('sync request id is not 32 bytes')
  }
}

function checkCursor(cursor: Uint8Array | undefined, fail: (m: string) => Error): void {
  if (cursor !== undefined && cursor.length > SYNC_LIMITS.maxCursorBytes)
    throw fail(`sync cursor is above ${SYNC_LIMITS.maxCursorBytes} bytes`)
}

function checkU64(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidInputError(`${field} must be an integer in 0..2^53-1, got ${value}`)
}

function checkCount(n: number, max: number, what: string, fail: (m: string) => Error): void {
  if (n > max) throw fail(`sync response carries ${n} ${what}, above the limit of ${max}`)
}

/** Nothing is written that the other side would refuse to read. */
function checkFrame(max: number, frame: Uint8Array): Uint8Array {
  if (frame.length > max)
    throw new InvalidInputError(
      `sync frame of ${frame.length} bytes is above the ${max}-byte limit`,
    )
  return frame
}

function parse<T>(run: () => T): T {
  try {
    return run()
  } catch (err) {
    throw new DecodeError(`sync frame is not valid: ${(err as Error).message}`, { cause: err })
  }
}

function u64(value: bigint, field: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw new DecodeError(`sync ${field} ${value} is above 2^53 - 1`)
  return Number(value)
}
