import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../errors.js'
import {
  decodesOrThrowsDecodeError,
  emptyResponse,
  expectDecodeError,
  expectInvalidInput,
  id32,
  ids,
  rawResponse,
  responseArb,
  responseOfFrameSize,
  statusArb,
  summary,
  text,
  u32,
  u64,
} from './codec.fixtures.js'
import {
  decodeSyncResponse,
  encodeSyncResponse,
  SYNC_LIMITS,
  type SyncResponse,
  type SyncStatus,
} from './codec.js'
import type * as pb from './sync.js'

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
      commits: fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 3 }),
      reveals: fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 3 }),
      recoveries: fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 2 }),
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
