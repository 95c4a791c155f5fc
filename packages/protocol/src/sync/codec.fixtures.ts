import fc from 'fast-check'
import { expect } from 'vitest'
import { DecodeError, InvalidInputError } from '../errors.js'
import {
  encodeSyncResponse,
  SYNC_LIMITS,
  type SyncEpochSummary,
  type SyncRequest,
  type SyncResponse,
  type SyncStatus,
} from './codec.js'
import * as pb from './sync.js'

/** Generators, raw frames and expectations shared by the sync request and response codec tests. */

// ---- arbitraries ------------------------------------------------------------------------

export const u64 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })
export const u32 = fc.integer({ min: 0, max: 0xffff_ffff })
export const id32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const network = fc
  .string({ minLength: 1, maxLength: 32, unit: 'binary' })
  // lone surrogates do not survive UTF-8, so no encoding can round-trip them
  .filter((s) => s.isWellFormed())
export const text = fc.string({ maxLength: 64, unit: 'binary' }).filter((s) => s.isWellFormed())

/** [from, to] with to >= from and a span of at most maxEpochSpan epochs. */
const epochRange = fc
  .tuple(u64, fc.integer({ min: 0, max: SYNC_LIMITS.maxEpochSpan - 1 }))
  .filter(([from, d]) => from + d <= Number.MAX_SAFE_INTEGER)
  .map(([from, d]) => ({ fromEpoch: from, toEpoch: from + d }))

const cursorArb = fc.uint8Array({ minLength: 1, maxLength: SYNC_LIMITS.maxCursorBytes })

const plainRequestArb: fc.Arbitrary<SyncRequest> = fc.oneof(
  fc
    .tuple(network, epochRange)
    .map(([n, r]): SyncRequest => ({ kind: 'summaries', network: n, ...r })),
  fc.tuple(network, epochRange).map(([n, r]): SyncRequest => ({ kind: 'votes', network: n, ...r })),
  fc.tuple(network, u64).map(([n, epoch]): SyncRequest => ({ kind: 'ids', network: n, epoch })),
  fc
    .tuple(network, u64, id32)
    .map(([n, epoch, digest]): SyncRequest => ({ kind: 'behind', network: n, epoch, digest })),
  fc
    .tuple(network, fc.array(id32, { minLength: 1, maxLength: 40 }))
    .map(([n, ids]): SyncRequest => ({ kind: 'contributions', network: n, ids })),
  fc
    .tuple(network, u64, fc.option(id32, { nil: undefined }))
    .map(
      ([n, epoch, digest]): SyncRequest =>
        digest === undefined
          ? { kind: 'beacon', network: n, epoch }
          : { kind: 'beacon', network: n, epoch, digest },
    ),
)

/** Every kind, from the start or from a cursor (an empty cursor decodes as none). */
export const requestArb: fc.Arbitrary<SyncRequest> = fc
  .tuple(plainRequestArb, fc.option(cursorArb, { nil: undefined }))
  .map(([req, cursor]) => (cursor === undefined ? req : { ...req, cursor }))

export const statusArb = fc.constantFrom<SyncStatus>(
  'ok',
  'bad-request',
  'wrong-network',
  'too-large',
)

const summaryArb: fc.Arbitrary<SyncEpochSummary> = fc.record({
  epoch: u64,
  digest: id32,
  count: u32,
  stored: u32,
  storedDigest: id32,
  final: fc.boolean(),
})

export const responseArb: fc.Arbitrary<SyncResponse> = fc.record({
  status: statusArb,
  error: text,
  summaries: fc.array(summaryArb, { maxLength: 8 }),
  ids: fc.array(id32, { maxLength: 8 }),
  contributions: fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }),
  votes: fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }),
  nextCursor: fc.uint8Array({ maxLength: SYNC_LIMITS.maxCursorBytes }),
  commits: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }),
  reveals: fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 4 }),
  recoveries: fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 1 }),
})

// ---- helpers ----------------------------------------------------------------------------

/** Runs `fn`; true when it returns or throws DecodeError, rethrows anything else. */
export function decodesOrThrowsDecodeError(fn: () => unknown): boolean {
  try {
    fn()
    return true
  } catch (err) {
    if (err instanceof DecodeError) return true
    throw err
  }
}

export function expectDecodeError(fn: () => unknown, message?: RegExp): void {
  expect(fn).toThrow(DecodeError)
  if (message !== undefined) expect(fn).toThrow(message)
}

export function expectInvalidInput(fn: () => unknown, message?: RegExp): void {
  let caught: unknown
  try {
    fn()
  } catch (err) {
    caught = err
  }
  expect(caught, 'the encoder returned a frame instead of refusing').toBeInstanceOf(
    InvalidInputError,
  )
  if (message !== undefined) expect((caught as Error).message).toMatch(message)
}

/** A raw protons request, to write frames the encoder would refuse. */
export const rawRequest = (patch: Partial<pb.SyncRequest>): Uint8Array =>
  pb.SyncRequest.encode({
    kind: pb.SyncRequest.Kind.SUMMARIES,
    network: 'default',
    fromEpoch: 0n,
    toEpoch: 0n,
    epoch: 0n,
    ids: [],
    cursor: new Uint8Array(0),
    digest: new Uint8Array(0),
    ...patch,
  })

export const rawResponse = (patch: Partial<pb.SyncResponse>): Uint8Array =>
  pb.SyncResponse.encode({
    status: pb.SyncResponse.Status.OK,
    error: '',
    summaries: [],
    ids: [],
    contributions: [],
    votes: [],
    nextCursor: new Uint8Array(0),
    ...patch,
  })

export const ids = (n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => {
    const id = new Uint8Array(32)
    new DataView(id.buffer).setUint32(0, i)
    return id
  })

export const summary = (epoch: number): SyncEpochSummary => ({
  epoch,
  digest: new Uint8Array(32).fill(1),
  count: 2,
  stored: 3,
  storedDigest: new Uint8Array(32).fill(2),
  final: true,
})

export const emptyResponse: SyncResponse = {
  status: 'ok',
  error: '',
  summaries: [],
  ids: [],
  contributions: [],
  votes: [],
  nextCursor: new Uint8Array(0),
  commits: [],
  reveals: [],
  recoveries: [],
}

/** Largest whole frame a reader takes; one contribution filling it exactly. */
export function responseOfFrameSize(size: number): Uint8Array {
  // field 5 tag (1 byte) + a 4-byte varint length for anything between 2^21 and 2^28
  const payload = new Uint8Array(size - 5).fill(0x5a)
  const frame = encodeSyncResponse({ status: 'ok', contributions: [payload] })
  expect(frame.length).toBe(size)
  return frame
}
