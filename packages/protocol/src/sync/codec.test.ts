import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DecodeError, InvalidInputError } from '../errors.js'
import {
  decodeSyncRequest,
  decodeSyncResponse,
  encodeSyncRequest,
  encodeSyncResponse,
  SYNC_LIMITS,
  type SyncEpochSummary,
  type SyncRequest,
  type SyncResponse,
  type SyncStatus,
} from './codec.js'
import * as pb from './sync.js'

// ---- arbitraries ------------------------------------------------------------------------

const u64 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })
const u32 = fc.integer({ min: 0, max: 0xffff_ffff })
const id32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const network = fc
  .string({ minLength: 1, maxLength: 32, unit: 'binary' })
  // lone surrogates do not survive UTF-8, so no encoding can round-trip them
  .filter((s) => s.isWellFormed())
const text = fc.string({ maxLength: 64, unit: 'binary' }).filter((s) => s.isWellFormed())

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
    .tuple(network, fc.array(id32, { minLength: 1, maxLength: 40 }))
    .map(([n, ids]): SyncRequest => ({ kind: 'contributions', network: n, ids })),
)

/** Every kind, from the start or from a cursor (an empty cursor decodes as none). */
const requestArb: fc.Arbitrary<SyncRequest> = fc
  .tuple(plainRequestArb, fc.option(cursorArb, { nil: undefined }))
  .map(([req, cursor]) => (cursor === undefined ? req : { ...req, cursor }))

const statusArb = fc.constantFrom<SyncStatus>('ok', 'bad-request', 'wrong-network', 'too-large')

const summaryArb: fc.Arbitrary<SyncEpochSummary> = fc.record({
  epoch: u64,
  digest: id32,
  count: u32,
  stored: u32,
  storedDigest: id32,
  final: fc.boolean(),
})

const responseArb: fc.Arbitrary<SyncResponse> = fc.record({
  status: statusArb,
  error: text,
  summaries: fc.array(summaryArb, { maxLength: 8 }),
  ids: fc.array(id32, { maxLength: 8 }),
  contributions: fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }),
  votes: fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }),
  nextCursor: fc.uint8Array({ maxLength: SYNC_LIMITS.maxCursorBytes }),
})

// ---- helpers ----------------------------------------------------------------------------

/** Runs `fn`; true when it returns or throws DecodeError, rethrows anything else. */
function decodesOrThrowsDecodeError(fn: () => unknown): boolean {
  try {
    fn()
    return true
  } catch (err) {
    if (err instanceof DecodeError) return true
    throw err
  }
}

function expectDecodeError(fn: () => unknown, message?: RegExp): void {
  expect(fn).toThrow(DecodeError)
  if (message !== undefined) expect(fn).toThrow(message)
}

function expectInvalidInput(fn: () => unknown, message?: RegExp): void {
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
const rawRequest = (patch: Partial<pb.SyncRequest>): Uint8Array =>
  pb.SyncRequest.encode({
    kind: pb.SyncRequest.Kind.SUMMARIES,
    network: 'default',
    fromEpoch: 0n,
    toEpoch: 0n,
    epoch: 0n,
    ids: [],
    cursor: new Uint8Array(0),
    ...patch,
  })

const rawResponse = (patch: Partial<pb.SyncResponse>): Uint8Array =>
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

const ids = (n: number): Uint8Array[] =>
  Array.from({ length: n }, (_, i) => {
    const id = new Uint8Array(32)
    new DataView(id.buffer).setUint32(0, i)
    return id
  })

const summary = (epoch: number): SyncEpochSummary => ({
  epoch,
  digest: new Uint8Array(32).fill(1),
  count: 2,
  stored: 3,
  storedDigest: new Uint8Array(32).fill(2),
  final: true,
})

const emptyResponse: SyncResponse = {
  status: 'ok',
  error: '',
  summaries: [],
  ids: [],
  contributions: [],
  votes: [],
  nextCursor: new Uint8Array(0),
}

/** Largest whole frame a reader takes; one contribution filling it exactly. */
function responseOfFrameSize(size: number): Uint8Array {
  // field 5 tag (1 byte) + a 4-byte varint length for anything between 2^21 and 2^28
  const payload = new Uint8Array(size - 5).fill(0x5a)
  const frame = encodeSyncResponse({ status: 'ok', contributions: [payload] })
  expect(frame.length).toBe(size)
  return frame
}

// ---- requests ---------------------------------------------------------------------------

describe('sync request codec', () => {
  it('round-trips every valid request', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        expect(decodeSyncRequest(encodeSyncRequest(req))).toEqual(req)
      }),
      { numRuns: 500 },
    )
  })

  it('decodes arbitrary bytes to a request or a DecodeError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) =>
        decodesOrThrowsDecodeError(() => decodeSyncRequest(b)),
      ),
      { numRuns: 3000 },
    )
  })

  it('decodes damaged encodings to a request or a DecodeError, nothing else', () => {
    const damaged = fc
      .tuple(requestArb, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }))
      .map(([req, cut, at, value]) => {
        const enc = encodeSyncRequest(req)
        const out = enc.slice(0, enc.length - (cut % Math.min(enc.length, 8)))
        if (out.length > 0) out[at % out.length] = value
        return out
      })
    fc.assert(
      fc.property(damaged, (b) => decodesOrThrowsDecodeError(() => decodeSyncRequest(b))),
      { numRuns: 3000 },
    )
  })

  it('whatever it decodes passes the same limits the encoder enforces', () => {
    // a decoded request can always be sent on: decode never yields what encode refuses
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        let req: SyncRequest
        try {
          req = decodeSyncRequest(b)
        } catch (err) {
          if (err instanceof DecodeError) return
          throw err
        }
        expect(decodeSyncRequest(encodeSyncRequest(req))).toEqual(req)
      }),
      { numRuns: 3000 },
    )
  })

  it('takes exactly maxIds ids and refuses one more (decode and encode)', () => {
    const network = 'default'
    const max: SyncRequest = { kind: 'contributions', network, ids: ids(SYNC_LIMITS.maxIds) }
    expect(decodeSyncRequest(encodeSyncRequest(max))).toEqual(max)

    const over = ids(SYNC_LIMITS.maxIds + 1)
    expectDecodeError(() =>
      decodeSyncRequest(
        rawRequest({
          kind: pb.SyncRequest.Kind.CONTRIBUTIONS,
          ids: over as Array<Uint8Array<ArrayBuffer>>,
        }),
      ),
    )
    expectInvalidInput(
      () => encodeSyncRequest({ kind: 'contributions', network, ids: over }),
      new RegExp(`more than ${SYNC_LIMITS.maxIds} ids`),
    )
  })

  it('refuses a contributions request with no ids', () => {
    expectDecodeError(
      () => decodeSyncRequest(rawRequest({ kind: pb.SyncRequest.Kind.CONTRIBUTIONS })),
      /no ids/,
    )
    expectInvalidInput(
      () => encodeSyncRequest({ kind: 'contributions', network: 'n', ids: [] }),
      /no ids/,
    )
  })

  it('refuses ids that are not 32 bytes, whatever their length', () => {
    fc.assert(
      fc.property(
        fc.array(id32, { maxLength: 5 }),
        fc.uint8Array({ maxLength: 80 }).filter((b) => b.length !== 32),
        fc.array(id32, { maxLength: 5 }),
        (before, bad, after) => {
          const list = [...before, bad, ...after]
          expectInvalidInput(
            () => encodeSyncRequest({ kind: 'contributions', network: 'n', ids: list }),
            /not 32 bytes/,
          )
          const frame = rawRequest({
            kind: pb.SyncRequest.Kind.CONTRIBUTIONS,
            ids: list as Array<Uint8Array<ArrayBuffer>>,
          })
          expectDecodeError(() => decodeSyncRequest(frame), /not 32 bytes/)
        },
      ),
      { numRuns: 200 },
    )
  })

  for (const kind of ['summaries', 'votes'] as const) {
    const wireKind =
      kind === 'summaries' ? pb.SyncRequest.Kind.SUMMARIES : pb.SyncRequest.Kind.VOTES

    it(`${kind}: takes a span of exactly maxEpochSpan and refuses one more`, () => {
      const from = 1_000_000
      const full: SyncRequest = {
        kind,
        network: 'n',
        fromEpoch: from,
        toEpoch: from + SYNC_LIMITS.maxEpochSpan - 1,
      }
      expect(decodeSyncRequest(encodeSyncRequest(full))).toEqual(full)

      const over = { ...full, toEpoch: from + SYNC_LIMITS.maxEpochSpan }
      expectInvalidInput(() => encodeSyncRequest(over), /spans more than/)
      expectDecodeError(
        () =>
          decodeSyncRequest(
            rawRequest({ kind: wireKind, fromEpoch: BigInt(from), toEpoch: BigInt(over.toEpoch) }),
          ),
        /spans more than/,
      )
    })

    it(`${kind}: refuses any span above the limit`, () => {
      fc.assert(
        fc.property(u64, u64, (a, b) => {
          const [from, to] = a <= b ? [a, b] : [b, a]
          fc.pre(to - from + 1 > SYNC_LIMITS.maxEpochSpan)
          expectInvalidInput(() =>
            encodeSyncRequest({ kind, network: 'n', fromEpoch: from, toEpoch: to }),
          )
          expectDecodeError(() =>
            decodeSyncRequest(
              rawRequest({ kind: wireKind, fromEpoch: BigInt(from), toEpoch: BigInt(to) }),
            ),
          )
        }),
        { numRuns: 200 },
      )
    })

    it(`${kind}: refuses to_epoch before from_epoch`, () => {
      fc.assert(
        fc.property(u64, u64, (a, b) => {
          fc.pre(a !== b)
          const [to, from] = a < b ? [a, b] : [b, a]
          expectInvalidInput(
            () => encodeSyncRequest({ kind, network: 'n', fromEpoch: from, toEpoch: to }),
            /before from_epoch/,
          )
          expectDecodeError(
            () =>
              decodeSyncRequest(
                rawRequest({ kind: wireKind, fromEpoch: BigInt(from), toEpoch: BigInt(to) }),
              ),
            /before from_epoch/,
          )
        }),
        { numRuns: 200 },
      )
    })

    it(`${kind}: refuses epochs above 2^53 - 1 on the wire`, () => {
      const top = BigInt(Number.MAX_SAFE_INTEGER)
      expect(
        decodeSyncRequest(rawRequest({ kind: wireKind, fromEpoch: top, toEpoch: top })),
      ).toEqual({
        kind,
        network: 'default',
        fromEpoch: Number.MAX_SAFE_INTEGER,
        toEpoch: Number.MAX_SAFE_INTEGER,
      })
      expectDecodeError(
        () => decodeSyncRequest(rawRequest({ kind: wireKind, fromEpoch: top, toEpoch: top + 1n })),
        /above 2\^53 - 1/,
      )
      expectDecodeError(
        () =>
          decodeSyncRequest(
            rawRequest({ kind: wireKind, fromEpoch: 2n ** 64n - 1n, toEpoch: 2n ** 64n - 1n }),
          ),
        /above 2\^53 - 1/,
      )
    })
  }

  it('ids: refuses an epoch above 2^53 - 1 on the wire', () => {
    expectDecodeError(
      () => decodeSyncRequest(rawRequest({ kind: pb.SyncRequest.Kind.IDS, epoch: 2n ** 53n })),
      /above 2\^53 - 1/,
    )
  })

  it('refuses an unknown or missing kind on decode', () => {
    // NONE (0) is the proto3 default: a frame without a kind
    expectDecodeError(
      () => decodeSyncRequest(rawRequest({ kind: pb.SyncRequest.Kind.NONE })),
      /kind/,
    )
    expectDecodeError(() => decodeSyncRequest(new Uint8Array(0)))
    // kind = 9, a value the enum does not have
    expectDecodeError(() => decodeSyncRequest(new Uint8Array([0x08, 0x09, 0x12, 0x01, 0x6e])))
    // kind = -1 (a ten-byte varint)
    const minusOne = [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    expectDecodeError(() => decodeSyncRequest(new Uint8Array([...minusOne, 0x12, 0x01, 0x6e])))
  })

  it('refuses an unknown kind on encode', () => {
    for (const kind of ['bogus', 'NONE', '', 'SUMMARIES']) {
      const req = { kind, network: 'n', fromEpoch: 0, toEpoch: 0 } as unknown as SyncRequest
      expectInvalidInput(() => encodeSyncRequest(req), /kind/)
    }
  })

  it('refuses a request without a network (decode and encode)', () => {
    expectDecodeError(() => decodeSyncRequest(rawRequest({ network: '' })), /no network/)
    expectInvalidInput(
      () => encodeSyncRequest({ kind: 'ids', network: '', epoch: 1 }),
      /no network/,
    )
  })

  it('refuses epochs that are not non-negative safe integers on encode', () => {
    const bad = [
      -1,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 53,
      Number.MAX_SAFE_INTEGER + 2,
    ]
    for (const value of bad) {
      expectInvalidInput(() => encodeSyncRequest({ kind: 'ids', network: 'n', epoch: value }))
      expectInvalidInput(() =>
        encodeSyncRequest({ kind: 'summaries', network: 'n', fromEpoch: value, toEpoch: value }),
      )
    }
  })

  it('refuses requests above maxRequestBytes before parsing (decode) and never writes one (encode)', () => {
    expectDecodeError(
      () => decodeSyncRequest(new Uint8Array(SYNC_LIMITS.maxRequestBytes + 1)),
      /too large/,
    )
    // the largest request there is, maxIds ids, fits
    const most = encodeSyncRequest({
      kind: 'contributions',
      network: 'x'.repeat(64),
      ids: ids(SYNC_LIMITS.maxIds),
    })
    expect(most.length).toBeLessThanOrEqual(SYNC_LIMITS.maxRequestBytes)
    expect(decodeSyncRequest(most).kind).toBe('contributions')
    // the only unbounded field of a request is its network name
    const huge = 'x'.repeat(SYNC_LIMITS.maxRequestBytes)
    expectInvalidInput(() => encodeSyncRequest({ kind: 'ids', network: huge, epoch: 1 }))
  })

  it('refuses a cursor above maxCursorBytes either way', () => {
    const long = new Uint8Array(SYNC_LIMITS.maxCursorBytes + 1)
    expectInvalidInput(() =>
      encodeSyncRequest({ kind: 'ids', network: 'n', epoch: 1, cursor: long }),
    )
    expectDecodeError(() => decodeSyncRequest(rawRequest({ cursor: long })), /cursor/)
    expectInvalidInput(() => encodeSyncResponse({ status: 'ok', nextCursor: long }))
    expectDecodeError(() => decodeSyncResponse(rawResponse({ nextCursor: long })), /cursor/)
  })

  it('skips unknown fields (a later minor version may add some)', () => {
    const req: SyncRequest = { kind: 'ids', network: 'default', epoch: 42 }
    const enc = encodeSyncRequest(req)
    const extended = new Uint8Array([...enc, 0x78, 0x01, 0x82, 0x01, 0x02, 0x68, 0x69])
    expect(decodeSyncRequest(extended)).toEqual(req)
  })

  it('returns ids that are copies, not views into the frame', () => {
    const req: SyncRequest = { kind: 'contributions', network: 'n', ids: ids(3) }
    const enc = encodeSyncRequest(req)
    const decoded = decodeSyncRequest(enc)
    enc.fill(0xff)
    expect(decoded).toEqual(req)
  })
})

// ---- responses --------------------------------------------------------------------------

describe('sync response codec', () => {
  it('round-trips every valid response', () => {
    fc.assert(
      fc.property(responseArb, (res) => {
        expect(decodeSyncResponse(encodeSyncResponse(res))).toEqual(res)
      }),
      { numRuns: 500 },
    )
  })

  it('fills omitted fields with empty ones', () => {
    expect(decodeSyncResponse(encodeSyncResponse({ status: 'too-large' }))).toEqual({
      ...emptyResponse,
      status: 'too-large',
    })
  })

  it('decodes arbitrary bytes to a response or a DecodeError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) =>
        decodesOrThrowsDecodeError(() => decodeSyncResponse(b)),
      ),
      { numRuns: 3000 },
    )
  })

  it('decodes damaged encodings to a response or a DecodeError, nothing else', () => {
    const damaged = fc
      .tuple(responseArb, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }))
      .map(([res, cut, at, value]) => {
        const enc = encodeSyncResponse(res)
        if (enc.length === 0) return enc
        const out = enc.slice(0, enc.length - (cut % Math.min(enc.length, 8)))
        if (out.length > 0) out[at % out.length] = value
        return out
      })
    fc.assert(
      fc.property(damaged, (b) => decodesOrThrowsDecodeError(() => decodeSyncResponse(b))),
      { numRuns: 3000 },
    )
  })

  it('every frame the encoder writes, the decoder reads back unchanged', () => {
    // Inputs that break a limit (short digests, bad ids, epochs off the u64 range, counts
    // off the u32 range) must be refused by the encoder, never sent for a peer to refuse.
    const loose = fc.record({
      status: statusArb,
      error: text,
      summaries: fc.array(
        fc.record({
          epoch: fc.oneof(u64, fc.integer({ min: -5, max: -1 }), fc.constant(2 ** 53)),
          digest: fc.oneof(id32, fc.uint8Array({ maxLength: 40 })),
          count: fc.oneof(u32, fc.constant(2 ** 32), fc.constant(-1)),
          stored: fc.oneof(u32, fc.constant(2 ** 32 + 7)),
          storedDigest: fc.oneof(id32, fc.uint8Array({ maxLength: 40 })),
          final: fc.boolean(),
        }),
        { maxLength: 3 },
      ),
      ids: fc.array(fc.oneof(id32, fc.uint8Array({ maxLength: 40 })), { maxLength: 3 }),
      contributions: fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 3 }),
      votes: fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 3 }),
      nextCursor: fc.uint8Array({ maxLength: SYNC_LIMITS.maxCursorBytes + 8 }),
    })
    fc.assert(
      fc.property(loose, (res) => {
        let frame: Uint8Array
        try {
          frame = encodeSyncResponse(res)
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidInputError)
          return
        }
        expect(decodeSyncResponse(frame)).toEqual(res)
      }),
      { numRuns: 500 },
    )
  })

  it('takes exactly maxIds ids and refuses one more (decode and encode)', () => {
    const full = { ...emptyResponse, ids: ids(SYNC_LIMITS.maxIds) }
    expect(decodeSyncResponse(encodeSyncResponse(full))).toEqual(full)
    const over = ids(SYNC_LIMITS.maxIds + 1) as Array<Uint8Array<ArrayBuffer>>
    expectDecodeError(() => decodeSyncResponse(rawResponse({ ids: over })))
    expectInvalidInput(() => encodeSyncResponse({ status: 'ok', ids: over }))
  })

  it('takes exactly maxContributions, maxVotes and maxEpochSpan summaries and refuses one more', () => {
    const blob = new Uint8Array(8).fill(3)
    const cases = [
      ['contributions', SYNC_LIMITS.maxContributions, () => blob],
      ['votes', SYNC_LIMITS.maxVotes, () => blob],
      ['summaries', SYNC_LIMITS.maxEpochSpan, (i: number) => summary(i)],
    ] as const
    for (const [field, limit, make] of cases) {
      const full = { ...emptyResponse, [field]: Array.from({ length: limit }, (_, i) => make(i)) }
      expect(decodeSyncResponse(encodeSyncResponse(full)), field).toEqual(full)
      const over = {
        ...emptyResponse,
        [field]: Array.from({ length: limit + 1 }, (_, i) => make(i)),
      }
      const frame =
        field === 'summaries'
          ? rawResponse({
              summaries: over.summaries.map((s) => ({
                ...s,
                epoch: BigInt(s.epoch),
              })) as pb.EpochSummary[],
            })
          : rawResponse({ [field]: over[field] })
      expectDecodeError(() => decodeSyncResponse(frame))
      expectInvalidInput(() => encodeSyncResponse(over))
    }
  })

  it('refuses ids that are not 32 bytes (decode and encode)', () => {
    for (const len of [0, 1, 31, 33, 64]) {
      const bad = [...ids(2), new Uint8Array(len)] as Array<Uint8Array<ArrayBuffer>>
      expectDecodeError(() => decodeSyncResponse(rawResponse({ ids: bad })), /not 32 bytes/)
      expectInvalidInput(() => encodeSyncResponse({ status: 'ok', ids: bad }), /32 bytes/)
    }
  })

  it('refuses summary digests that are not 32 bytes (decode and encode)', () => {
    for (const field of ['digest', 'storedDigest'] as const) {
      for (const len of [0, 31, 33]) {
        const s = { ...summary(7), [field]: new Uint8Array(len) }
        const frame = rawResponse({
          summaries: [{ ...s, epoch: 7n } as pb.EpochSummary],
        })
        expectDecodeError(() => decodeSyncResponse(frame), /not 32 bytes/)
        expectInvalidInput(() => encodeSyncResponse({ status: 'ok', summaries: [s] }), /32 bytes/)
      }
    }
  })

  it('refuses a summary epoch above 2^53 - 1 on the wire', () => {
    const s = { ...summary(0), epoch: 2n ** 53n } as pb.EpochSummary
    expectDecodeError(() => decodeSyncResponse(rawResponse({ summaries: [s] })), /above 2\^53 - 1/)
  })

  it('refuses an unknown status on decode', () => {
    // status = 4 and status = 127: values the enum does not have
    expectDecodeError(() => decodeSyncResponse(new Uint8Array([0x08, 0x04])))
    expectDecodeError(() => decodeSyncResponse(new Uint8Array([0x08, 0x7f])))
  })

  it('refuses an unknown status on encode', () => {
    for (const status of ['bogus', 'OK', '', 'error']) {
      expectInvalidInput(() => encodeSyncResponse({ status: status as SyncStatus }), /status/)
    }
  })

  it('reads a frame of exactly maxFrameBytes and refuses one byte more before parsing', () => {
    const frame = responseOfFrameSize(SYNC_LIMITS.maxFrameBytes)
    expect(decodeSyncResponse(frame).contributions[0]?.length).toBe(SYNC_LIMITS.maxFrameBytes - 5)
    const over = new Uint8Array(SYNC_LIMITS.maxFrameBytes + 1)
    over.set(frame)
    expectDecodeError(() => decodeSyncResponse(over), /too large/)
  })

  it('never writes a frame above maxFrameBytes', () => {
    // one byte more than the frame the reader still takes
    const payload = new Uint8Array(SYNC_LIMITS.maxFrameBytes - 4)
    expectInvalidInput(() => encodeSyncResponse({ status: 'ok', contributions: [payload] }))
    const half = new Uint8Array(SYNC_LIMITS.maxFrameBytes / 2)
    expectInvalidInput(() => encodeSyncResponse({ status: 'ok', votes: [half, half] }))
  })

  it('returns copies, not views into the frame', () => {
    const res: SyncResponse = {
      ...emptyResponse,
      summaries: [summary(3)],
      ids: ids(2),
      contributions: [new Uint8Array([1, 2, 3])],
      votes: [new Uint8Array([4, 5])],
    }
    const enc = encodeSyncResponse(res)
    const decoded = decodeSyncResponse(enc)
    enc.fill(0xee)
    expect(decoded).toEqual(res)
  })
})
