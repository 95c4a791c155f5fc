import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface SyncRequest {
  kind: SyncRequest.Kind
  network: string
  fromEpoch: bigint
  toEpoch: bigint
  epoch: bigint
  ids: Uint8Array<ArrayBuffer>[]
  cursor: Uint8Array<ArrayBuffer>
  digest: Uint8Array<ArrayBuffer>
}

export namespace SyncRequest {
  export enum Kind {
    NONE = 'NONE',
    SUMMARIES = 'SUMMARIES',
    IDS = 'IDS',
    CONTRIBUTIONS = 'CONTRIBUTIONS',
    VOTES = 'VOTES',
    BEHIND = 'BEHIND',
    BEACON = 'BEACON'
  }

  enum __KindValues {
    NONE = 0,
    SUMMARIES = 1,
    IDS = 2,
    CONTRIBUTIONS = 3,
    VOTES = 4,
    BEHIND = 5,
    BEACON = 6
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

  let _codec: Codec<SyncRequest>

  export const codec = (): Codec<SyncRequest> => {
    if (_codec == null) {
      _codec = message<SyncRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(8)
          SyncRequest.Kind.codec().encode(obj.kind, w)
        }

        if ((obj.network != null && obj.network !== '')) {
          w.uint32(18)
          w.string(obj.network)
        }

        if ((obj.fromEpoch != null && obj.fromEpoch !== 0n)) {
          w.uint32(24)
          w.uint64(obj.fromEpoch)
        }

        if ((obj.toEpoch != null && obj.toEpoch !== 0n)) {
          w.uint32(32)
          w.uint64(obj.toEpoch)
        }

        if ((obj.epoch != null && obj.epoch !== 0n)) {
          w.uint32(40)
          w.uint64(obj.epoch)
        }

        if (obj.ids != null && obj.ids.length > 0) {
          for (const value of obj.ids) {
            w.uint32(50)
            w.bytes(value)
          }
        }

        if ((obj.cursor != null && obj.cursor.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.cursor)
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.digest)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: Kind.NONE,
          network: '',
          fromEpoch: 0n,
          toEpoch: 0n,
          epoch: 0n,
          ids: [],
          cursor: uint8ArrayAlloc(0),
          digest: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = SyncRequest.Kind.codec().decode(reader)
              break
            }
            case 2: {
              obj.network = reader.string()
              break
            }
            case 3: {
              obj.fromEpoch = reader.uint64()
              break
            }
            case 4: {
              obj.toEpoch = reader.uint64()
              break
            }
            case 5: {
              obj.epoch = reader.uint64()
              break
            }
            case 6: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              obj.ids.push(reader.bytes())
              break
            }
            case 7: {
              obj.cursor = reader.bytes()
              break
            }
            case 8: {
              obj.digest = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          ids: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.kind`,
                value: SyncRequest.Kind.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.network`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.fromEpoch`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.toEpoch`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              if (opts.limits?.ids != null && obj.ids === opts.limits.ids) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              yield {
                field: `${prefix}.ids[]`,
                index: obj.ids,
                value: reader.bytes()
              }

              obj.ids++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.cursor`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.digest`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncRequestKindFieldEvent {
    field: '$.kind'
    value: SyncRequest.Kind
  }

  export interface SyncRequestNetworkFieldEvent {
    field: '$.network'
    value: string
  }

  export interface SyncRequestFromEpochFieldEvent {
    field: '$.fromEpoch'
    value: bigint
  }

  export interface SyncRequestToEpochFieldEvent {
    field: '$.toEpoch'
    value: bigint
  }

  export interface SyncRequestEpochFieldEvent {
    field: '$.epoch'
    value: bigint
  }

  export interface SyncRequestIdsFieldEvent {
    field: '$.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncRequestCursorFieldEvent {
    field: '$.cursor'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncRequestDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SyncRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRequest>): SyncRequest {
    return decodeMessage(buf, SyncRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncRequest>): Generator<SyncRequestKindFieldEvent | SyncRequestNetworkFieldEvent | SyncRequestFromEpochFieldEvent | SyncRequestToEpochFieldEvent | SyncRequestEpochFieldEvent | SyncRequestIdsFieldEvent | SyncRequestCursorFieldEvent | SyncRequestDigestFieldEvent> {
    return streamMessage(buf, SyncRequest.codec(), opts)
  }
}

export interface EpochSummary {
  epoch: bigint
  digest: Uint8Array<ArrayBuffer>
  count: number
  stored: number
  final: boolean
  storedDigest: Uint8Array<ArrayBuffer>
}

export namespace EpochSummary {
  let _codec: Codec<EpochSummary>

  export const codec = (): Codec<EpochSummary> => {
    if (_codec == null) {
      _codec = message<EpochSummary>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.epoch != null && obj.epoch !== 0n)) {
          w.uint32(8)
          w.uint64(obj.epoch)
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.digest)
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(24)
          w.uint32(obj.count)
        }

        if ((obj.stored != null && obj.stored !== 0)) {
          w.uint32(32)
          w.uint32(obj.stored)
        }

        if ((obj.final != null && obj.final !== false)) {
          w.uint32(40)
          w.bool(obj.final)
        }

        if ((obj.storedDigest != null && obj.storedDigest.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.storedDigest)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          epoch: 0n,
          digest: uint8ArrayAlloc(0),
          count: 0,
          stored: 0,
          final: false,
          storedDigest: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.epoch = reader.uint64()
              break
            }
            case 2: {
              obj.digest = reader.bytes()
              break
            }
            case 3: {
              obj.count = reader.uint32()
              break
            }
            case 4: {
              obj.stored = reader.uint32()
              break
            }
            case 5: {
              obj.final = reader.bool()
              break
            }
            case 6: {
              obj.storedDigest = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint64()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.digest`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.count`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.stored`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.final`,
                value: reader.bool()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.storedDigest`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface EpochSummaryEpochFieldEvent {
    field: '$.epoch'
    value: bigint
  }

  export interface EpochSummaryDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EpochSummaryCountFieldEvent {
    field: '$.count'
    value: number
  }

  export interface EpochSummaryStoredFieldEvent {
    field: '$.stored'
    value: number
  }

  export interface EpochSummaryFinalFieldEvent {
    field: '$.final'
    value: boolean
  }

  export interface EpochSummaryStoredDigestFieldEvent {
    field: '$.storedDigest'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<EpochSummary>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, EpochSummary.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<EpochSummary>): EpochSummary {
    return decodeMessage(buf, EpochSummary.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<EpochSummary>): Generator<EpochSummaryEpochFieldEvent | EpochSummaryDigestFieldEvent | EpochSummaryCountFieldEvent | EpochSummaryStoredFieldEvent | EpochSummaryFinalFieldEvent | EpochSummaryStoredDigestFieldEvent> {
    return streamMessage(buf, EpochSummary.codec(), opts)
  }
}

export interface SyncResponse {
  status: SyncResponse.Status
  error: string
  summaries: EpochSummary[]
  ids: Uint8Array<ArrayBuffer>[]
  contributions: Uint8Array<ArrayBuffer>[]
  votes: Uint8Array<ArrayBuffer>[]
  nextCursor: Uint8Array<ArrayBuffer>
  commits: Uint8Array<ArrayBuffer>[]
  reveals: Uint8Array<ArrayBuffer>[]
  recoveries: Uint8Array<ArrayBuffer>[]
}

export namespace SyncResponse {
  export enum Status {
    OK = 'OK',
    BAD_REQUEST = 'BAD_REQUEST',
    WRONG_NETWORK = 'WRONG_NETWORK',
    TOO_LARGE = 'TOO_LARGE'
  }

  enum __StatusValues {
    OK = 0,
    BAD_REQUEST = 1,
    WRONG_NETWORK = 2,
    TOO_LARGE = 3
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<SyncResponse>

  export const codec = (): Codec<SyncResponse> => {
    if (_codec == null) {
      _codec = message<SyncResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          SyncResponse.Status.codec().encode(obj.status, w)
        }

        if ((obj.error != null && obj.error !== '')) {
          w.uint32(18)
          w.string(obj.error)
        }

        if (obj.summaries != null && obj.summaries.length > 0) {
          for (const value of obj.summaries) {
            w.uint32(26)
            EpochSummary.codec().encode(value, w)
          }
        }

        if (obj.ids != null && obj.ids.length > 0) {
          for (const value of obj.ids) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if (obj.contributions != null && obj.contributions.length > 0) {
          for (const value of obj.contributions) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if (obj.votes != null && obj.votes.length > 0) {
          for (const value of obj.votes) {
            w.uint32(50)
            w.bytes(value)
          }
        }

        if ((obj.nextCursor != null && obj.nextCursor.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.nextCursor)
        }

        if (obj.commits != null && obj.commits.length > 0) {
          for (const value of obj.commits) {
            w.uint32(66)
            w.bytes(value)
          }
        }

        if (obj.reveals != null && obj.reveals.length > 0) {
          for (const value of obj.reveals) {
            w.uint32(74)
            w.bytes(value)
          }
        }

        if (obj.recoveries != null && obj.recoveries.length > 0) {
          for (const value of obj.recoveries) {
            w.uint32(82)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          error: '',
          summaries: [],
          ids: [],
          contributions: [],
          votes: [],
          nextCursor: uint8ArrayAlloc(0),
          commits: [],
          reveals: [],
          recoveries: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = SyncResponse.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.error = reader.string()
              break
            }
            case 3: {
              if (opts.limits?.summaries != null && obj.summaries.length === opts.limits.summaries) {
                throw new MaxLengthError('Decode error - repeated field "summaries" had too many elements')
              }

              obj.summaries.push(EpochSummary.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.summaries$
              }))
              break
            }
            case 4: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - repeated field "ids" had too many elements')
              }

              obj.ids.push(reader.bytes())
              break
            }
            case 5: {
              if (opts.limits?.contributions != null && obj.contributions.length === opts.limits.contributions) {
                throw new MaxLengthError('Decode error - repeated field "contributions" had too many elements')
              }

              obj.contributions.push(reader.bytes())
              break
            }
            case 6: {
              if (opts.limits?.votes != null && obj.votes.length === opts.limits.votes) {
                throw new MaxLengthError('Decode error - repeated field "votes" had too many elements')
              }

              obj.votes.push(reader.bytes())
              break
            }
            case 7: {
              obj.nextCursor = reader.bytes()
              break
            }
            case 8: {
              if (opts.limits?.commits != null && obj.commits.length === opts.limits.commits) {
                throw new MaxLengthError('Decode error - repeated field "commits" had too many elements')
              }

              obj.commits.push(reader.bytes())
              break
            }
            case 9: {
              if (opts.limits?.reveals != null && obj.reveals.length === opts.limits.reveals) {
                throw new MaxLengthError('Decode error - repeated field "reveals" had too many elements')
              }

              obj.reveals.push(reader.bytes())
              break
            }
            case 10: {
              if (opts.limits?.recoveries != null && obj.recoveries.length === opts.limits.recoveries) {
                throw new MaxLengthError('Decode error - repeated field "recoveries" had too many elements')
              }

              obj.recoveries.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          summaries: 0,
          ids: 0,
          contributions: 0,
          votes: 0,
          commits: 0,
          reveals: 0,
          recoveries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.status`,
                value: SyncResponse.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            case 3: {
              if (opts.limits?.summaries != null && obj.summaries === opts.limits.summaries) {
                throw new MaxLengthError('Streaming decode error - repeated field "summaries" had too many elements')
              }

              for (const evt of EpochSummary.codec().stream(reader, reader.uint32(), `${prefix}.summaries[]`, {
                limits: opts.limits?.summaries$
              })) {
                yield {
                  ...evt,
                  index: obj.summaries
                }
              }

              obj.summaries++

              break
            }
            case 4: {
              if (opts.limits?.ids != null && obj.ids === opts.limits.ids) {
                throw new MaxLengthError('Streaming decode error - repeated field "ids" had too many elements')
              }

              yield {
                field: `${prefix}.ids[]`,
                index: obj.ids,
                value: reader.bytes()
              }

              obj.ids++

              break
            }
            case 5: {
              if (opts.limits?.contributions != null && obj.contributions === opts.limits.contributions) {
                throw new MaxLengthError('Streaming decode error - repeated field "contributions" had too many elements')
              }

              yield {
                field: `${prefix}.contributions[]`,
                index: obj.contributions,
                value: reader.bytes()
              }

              obj.contributions++

              break
            }
            case 6: {
              if (opts.limits?.votes != null && obj.votes === opts.limits.votes) {
                throw new MaxLengthError('Streaming decode error - repeated field "votes" had too many elements')
              }

              yield {
                field: `${prefix}.votes[]`,
                index: obj.votes,
                value: reader.bytes()
              }

              obj.votes++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.nextCursor`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              if (opts.limits?.commits != null && obj.commits === opts.limits.commits) {
                throw new MaxLengthError('Streaming decode error - repeated field "commits" had too many elements')
              }

              yield {
                field: `${prefix}.commits[]`,
                index: obj.commits,
                value: reader.bytes()
              }

              obj.commits++

              break
            }
            case 9: {
              if (opts.limits?.reveals != null && obj.reveals === opts.limits.reveals) {
                throw new MaxLengthError('Streaming decode error - repeated field "reveals" had too many elements')
              }

              yield {
                field: `${prefix}.reveals[]`,
                index: obj.reveals,
                value: reader.bytes()
              }

              obj.reveals++

              break
            }
            case 10: {
              if (opts.limits?.recoveries != null && obj.recoveries === opts.limits.recoveries) {
                throw new MaxLengthError('Streaming decode error - repeated field "recoveries" had too many elements')
              }

              yield {
                field: `${prefix}.recoveries[]`,
                index: obj.recoveries,
                value: reader.bytes()
              }

              obj.recoveries++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SyncResponseStatusFieldEvent {
    field: '$.status'
    value: SyncResponse.Status
  }

  export interface SyncResponseErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export interface SyncResponseSummariesEpochFieldEvent {
    field: '$.summaries[].epoch'
    value: bigint
    index: number
  }

  export interface SyncResponseSummariesDigestFieldEvent {
    field: '$.summaries[].digest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncResponseSummariesCountFieldEvent {
    field: '$.summaries[].count'
    value: number
    index: number
  }

  export interface SyncResponseSummariesStoredFieldEvent {
    field: '$.summaries[].stored'
    value: number
    index: number
  }

  export interface SyncResponseSummariesFinalFieldEvent {
    field: '$.summaries[].final'
    value: boolean
    index: number
  }

  export interface SyncResponseSummariesStoredDigestFieldEvent {
    field: '$.summaries[].storedDigest'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface SyncResponseIdsFieldEvent {
    field: '$.ids[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseContributionsFieldEvent {
    field: '$.contributions[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseVotesFieldEvent {
    field: '$.votes[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseNextCursorFieldEvent {
    field: '$.nextCursor'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseCommitsFieldEvent {
    field: '$.commits[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseRevealsFieldEvent {
    field: '$.reveals[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface SyncResponseRecoveriesFieldEvent {
    field: '$.recoveries[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<SyncResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SyncResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncResponse>): SyncResponse {
    return decodeMessage(buf, SyncResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncResponse>): Generator<SyncResponseStatusFieldEvent | SyncResponseErrorFieldEvent | SyncResponseSummariesEpochFieldEvent | SyncResponseSummariesDigestFieldEvent | SyncResponseSummariesCountFieldEvent | SyncResponseSummariesStoredFieldEvent | SyncResponseSummariesFinalFieldEvent | SyncResponseSummariesStoredDigestFieldEvent | SyncResponseIdsFieldEvent | SyncResponseContributionsFieldEvent | SyncResponseVotesFieldEvent | SyncResponseNextCursorFieldEvent | SyncResponseCommitsFieldEvent | SyncResponseRevealsFieldEvent | SyncResponseRecoveriesFieldEvent> {
    return streamMessage(buf, SyncResponse.codec(), opts)
  }
}
