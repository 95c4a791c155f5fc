import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DecodeError } from '../errors.js'
import {
  decodesOrThrowsDecodeError,
  expectDecodeError,
  expectInvalidInput,
  id32,
  ids,
  rawRequest,
  rawResponse,
  requestArb,
  u64,
} from './codec.fixtures.js'
import {
  decodeSyncRequest,
  decodeSyncResponse,
  encodeSyncRequest,
  encodeSyncResponse,
  SYNC_LIMITS,
  type SyncRequest,
} from './codec.js'
import * as pb from './sync.js'

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

  it('a BEHIND request carries a 32-byte digest, refused otherwise (decode and encode)', () => {
    const digest = new Uint8Array(32).fill(7)
    const req: SyncRequest = { kind: 'behind', network: 'n', epoch: 9, digest }
    expect(decodeSyncRequest(encodeSyncRequest(req))).toEqual(req)
    for (const bad of [new Uint8Array(0), new Uint8Array(31), new Uint8Array(33)]) {
      expectInvalidInput(() => encodeSyncRequest({ ...req, digest: bad }), /digest/)
      expectDecodeError(
        () =>
          decodeSyncRequest(
            rawRequest({ kind: pb.SyncRequest.Kind.BEHIND, epoch: 9n, digest: bad }),
          ),
        /digest/,
      )
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
