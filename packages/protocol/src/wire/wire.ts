import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Contribution {
  network: string
  origin: Uint8Array<ArrayBuffer>
  seq: bigint
  epoch: bigint
  timestampMs: bigint
  bitLength: number
  bits: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace Contribution {
  let _codec: Codec<Contribution>

  export const codec = (): Codec<Contribution> => {
    if (_codec == null) {
      _codec = message<Contribution>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.network != null && obj.network !== '')) {
          w.uint32(10)
          w.string(obj.network)
        }

        if ((obj.origin != null && obj.origin.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.origin)
        }

        if ((obj.seq != null && obj.seq !== 0n)) {
          w.uint32(24)
          w.uint64(obj.seq)
        }

        if ((obj.epoch != null && obj.epoch !== 0n)) {
          w.uint32(32)
          w.uint64(obj.epoch)
        }

        if ((obj.timestampMs != null && obj.timestampMs !== 0n)) {
          w.uint32(40)
          w.uint64(obj.timestampMs)
        }

        if ((obj.bitLength != null && obj.bitLength !== 0)) {
          w.uint32(48)
          w.uint32(obj.bitLength)
        }

        if ((obj.bits != null && obj.bits.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.bits)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          network: '',
          origin: uint8ArrayAlloc(0),
          seq: 0n,
          epoch: 0n,
          timestampMs: 0n,
          bitLength: 0,
          bits: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.network = reader.string()
              break
            }
            case 2: {
              obj.origin = reader.bytes()
              break
            }
            case 3: {
              obj.seq = reader.uint64()
              break
            }
            case 4: {
              obj.epoch = reader.uint64()
              break
            }
            case 5: {
              obj.timestampMs = reader.uint64()
              break
            }
            case 6: {
              obj.bitLength = reader.uint32()
              break
            }
            case 7: {
              obj.bits = reader.bytes()
              break
            }
            case 8: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.network`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.origin`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.seq`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.timestampMs`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.bitLength`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.bits`,
                value: reader.bytes()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.signature`,
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

  export interface ContributionNetworkFieldEvent {
    field: '$.network'
    value: string
  }

  export interface ContributionOriginFieldEvent {
    field: '$.origin'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContributionSeqFieldEvent {
    field: '$.seq'
    value: bigint
  }

  export interface ContributionEpochFieldEvent {
    field: '$.epoch'
    value: bigint
  }

  export interface ContributionTimestampMsFieldEvent {
    field: '$.timestampMs'
    value: bigint
  }

  export interface ContributionBitLengthFieldEvent {
    field: '$.bitLength'
    value: number
  }

  export interface ContributionBitsFieldEvent {
    field: '$.bits'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ContributionSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Contribution>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Contribution.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Contribution>): Contribution {
    return decodeMessage(buf, Contribution.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Contribution>): Generator<ContributionNetworkFieldEvent | ContributionOriginFieldEvent | ContributionSeqFieldEvent | ContributionEpochFieldEvent | ContributionTimestampMsFieldEvent | ContributionBitLengthFieldEvent | ContributionBitsFieldEvent | ContributionSignatureFieldEvent> {
    return streamMessage(buf, Contribution.codec(), opts)
  }
}

export interface Vote {
  network: string
  origin: Uint8Array<ArrayBuffer>
  epoch: bigint
  digest: Uint8Array<ArrayBuffer>
  count: number
  beacon: Uint8Array<ArrayBuffer>
  timestampMs: bigint
  signature: Uint8Array<ArrayBuffer>
  commitsDigest: Uint8Array<ArrayBuffer>
  commitCount: number
  evidence: Evidence[]
}

export namespace Vote {
  let _codec: Codec<Vote>

  export const codec = (): Codec<Vote> => {
    if (_codec == null) {
      _codec = message<Vote>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.network != null && obj.network !== '')) {
          w.uint32(10)
          w.string(obj.network)
        }

        if ((obj.origin != null && obj.origin.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.origin)
        }

        if ((obj.epoch != null && obj.epoch !== 0n)) {
          w.uint32(24)
          w.uint64(obj.epoch)
        }

        if ((obj.digest != null && obj.digest.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.digest)
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(40)
          w.uint32(obj.count)
        }

        if ((obj.beacon != null && obj.beacon.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.beacon)
        }

        if ((obj.timestampMs != null && obj.timestampMs !== 0n)) {
          w.uint32(56)
          w.uint64(obj.timestampMs)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.signature)
        }

        if ((obj.commitsDigest != null && obj.commitsDigest.byteLength > 0)) {
          w.uint32(74)
          w.bytes(obj.commitsDigest)
        }

        if ((obj.commitCount != null && obj.commitCount !== 0)) {
          w.uint32(80)
          w.uint32(obj.commitCount)
        }

        if (obj.evidence != null && obj.evidence.length > 0) {
          for (const value of obj.evidence) {
            w.uint32(90)
            Evidence.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          network: '',
          origin: uint8ArrayAlloc(0),
          epoch: 0n,
          digest: uint8ArrayAlloc(0),
          count: 0,
          beacon: uint8ArrayAlloc(0),
          timestampMs: 0n,
          signature: uint8ArrayAlloc(0),
          commitsDigest: uint8ArrayAlloc(0),
          commitCount: 0,
          evidence: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.network = reader.string()
              break
            }
            case 2: {
              obj.origin = reader.bytes()
              break
            }
            case 3: {
              obj.epoch = reader.uint64()
              break
            }
            case 4: {
              obj.digest = reader.bytes()
              break
            }
            case 5: {
              obj.count = reader.uint32()
              break
            }
            case 6: {
              obj.beacon = reader.bytes()
              break
            }
            case 7: {
              obj.timestampMs = reader.uint64()
              break
            }
            case 8: {
              obj.signature = reader.bytes()
              break
            }
            case 9: {
              obj.commitsDigest = reader.bytes()
              break
            }
            case 10: {
              obj.commitCount = reader.uint32()
              break
            }
            case 11: {
              if (opts.limits?.evidence != null && obj.evidence.length === opts.limits.evidence) {
                throw new MaxLengthError('Decode error - repeated field "evidence" had too many elements')
              }

              obj.evidence.push(Evidence.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.evidence$
              }))
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
          evidence: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.network`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.origin`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.digest`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.count`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.beacon`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.timestampMs`,
                value: reader.uint64()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.commitsDigest`,
                value: reader.bytes()
              }
              break
            }
            case 10: {
              yield {
                field: `${prefix}.commitCount`,
                value: reader.uint32()
              }
              break
            }
            case 11: {
              if (opts.limits?.evidence != null && obj.evidence === opts.limits.evidence) {
                throw new MaxLengthError('Streaming decode error - repeated field "evidence" had too many elements')
              }

              for (const evt of Evidence.codec().stream(reader, reader.uint32(), `${prefix}.evidence[]`, {
                limits: opts.limits?.evidence$
              })) {
                yield {
                  ...evt,
                  index: obj.evidence
                }
              }

              obj.evidence++

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

  export interface VoteNetworkFieldEvent {
    field: '$.network'
    value: string
  }

  export interface VoteOriginFieldEvent {
    field: '$.origin'
    value: Uint8Array<ArrayBuffer>
  }

  export interface VoteEpochFieldEvent {
    field: '$.epoch'
    value: bigint
  }

  export interface VoteDigestFieldEvent {
    field: '$.digest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface VoteCountFieldEvent {
    field: '$.count'
    value: number
  }

  export interface VoteBeaconFieldEvent {
    field: '$.beacon'
    value: Uint8Array<ArrayBuffer>
  }

  export interface VoteTimestampMsFieldEvent {
    field: '$.timestampMs'
    value: bigint
  }

  export interface VoteSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface VoteCommitsDigestFieldEvent {
    field: '$.commitsDigest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface VoteCommitCountFieldEvent {
    field: '$.commitCount'
    value: number
  }

  export interface VoteEvidenceVoteFieldEvent {
    field: '$.evidence[].vote'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface VoteEvidenceBaseFieldEvent {
    field: '$.evidence[].base'
    value: number
    index: number
  }

  export interface VoteEvidenceBitmapFieldEvent {
    field: '$.evidence[].bitmap'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface VoteEvidenceExtraFieldEvent {
    field: '$.evidence[].extra'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export function encode (obj: Partial<Vote>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Vote.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Vote>): Vote {
    return decodeMessage(buf, Vote.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Vote>): Generator<VoteNetworkFieldEvent | VoteOriginFieldEvent | VoteEpochFieldEvent | VoteDigestFieldEvent | VoteCountFieldEvent | VoteBeaconFieldEvent | VoteTimestampMsFieldEvent | VoteSignatureFieldEvent | VoteCommitsDigestFieldEvent | VoteCommitCountFieldEvent | VoteEvidenceVoteFieldEvent | VoteEvidenceBaseFieldEvent | VoteEvidenceBitmapFieldEvent | VoteEvidenceExtraFieldEvent> {
    return streamMessage(buf, Vote.codec(), opts)
  }
}

export interface Evidence {
  vote: Uint8Array<ArrayBuffer>
  base: number
  bitmap: Uint8Array<ArrayBuffer>
  extra: Uint8Array<ArrayBuffer>
}

export namespace Evidence {
  let _codec: Codec<Evidence>

  export const codec = (): Codec<Evidence> => {
    if (_codec == null) {
      _codec = message<Evidence>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.vote != null && obj.vote.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.vote)
        }

        if ((obj.base != null && obj.base !== 0)) {
          w.uint32(16)
          w.uint32(obj.base)
        }

        if ((obj.bitmap != null && obj.bitmap.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.bitmap)
        }

        if ((obj.extra != null && obj.extra.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.extra)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          vote: uint8ArrayAlloc(0),
          base: 0,
          bitmap: uint8ArrayAlloc(0),
          extra: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.vote = reader.bytes()
              break
            }
            case 2: {
              obj.base = reader.uint32()
              break
            }
            case 3: {
              obj.bitmap = reader.bytes()
              break
            }
            case 4: {
              obj.extra = reader.bytes()
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
                field: `${prefix}.vote`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.base`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.bitmap`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.extra`,
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

  export interface EvidenceVoteFieldEvent {
    field: '$.vote'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EvidenceBaseFieldEvent {
    field: '$.base'
    value: number
  }

  export interface EvidenceBitmapFieldEvent {
    field: '$.bitmap'
    value: Uint8Array<ArrayBuffer>
  }

  export interface EvidenceExtraFieldEvent {
    field: '$.extra'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Evidence>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Evidence.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Evidence>): Evidence {
    return decodeMessage(buf, Evidence.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Evidence>): Generator<EvidenceVoteFieldEvent | EvidenceBaseFieldEvent | EvidenceBitmapFieldEvent | EvidenceExtraFieldEvent> {
    return streamMessage(buf, Evidence.codec(), opts)
  }
}

export interface Commit {
  network: string
  origin: Uint8Array<ArrayBuffer>
  epoch: bigint
  c: Uint8Array<ArrayBuffer>
  timestampMs: bigint
  signature: Uint8Array<ArrayBuffer>
}

export namespace Commit {
  let _codec: Codec<Commit>

  export const codec = (): Codec<Commit> => {
    if (_codec == null) {
      _codec = message<Commit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.network != null && obj.network !== '')) {
          w.uint32(10)
          w.string(obj.network)
        }

        if ((obj.origin != null && obj.origin.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.origin)
        }

        if ((obj.epoch != null && obj.epoch !== 0n)) {
          w.uint32(24)
          w.uint64(obj.epoch)
        }

        if ((obj.c != null && obj.c.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.c)
        }

        if ((obj.timestampMs != null && obj.timestampMs !== 0n)) {
          w.uint32(40)
          w.uint64(obj.timestampMs)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          network: '',
          origin: uint8ArrayAlloc(0),
          epoch: 0n,
          c: uint8ArrayAlloc(0),
          timestampMs: 0n,
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.network = reader.string()
              break
            }
            case 2: {
              obj.origin = reader.bytes()
              break
            }
            case 3: {
              obj.epoch = reader.uint64()
              break
            }
            case 4: {
              obj.c = reader.bytes()
              break
            }
            case 5: {
              obj.timestampMs = reader.uint64()
              break
            }
            case 6: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.network`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.origin`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.c`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.timestampMs`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.signature`,
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

  export interface CommitNetworkFieldEvent {
    field: '$.network'
    value: string
  }

  export interface CommitOriginFieldEvent {
    field: '$.origin'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CommitEpochFieldEvent {
    field: '$.epoch'
    value: bigint
  }

  export interface CommitCFieldEvent {
    field: '$.c'
    value: Uint8Array<ArrayBuffer>
  }

  export interface CommitTimestampMsFieldEvent {
    field: '$.timestampMs'
    value: bigint
  }

  export interface CommitSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Commit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Commit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Commit>): Commit {
    return decodeMessage(buf, Commit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Commit>): Generator<CommitNetworkFieldEvent | CommitOriginFieldEvent | CommitEpochFieldEvent | CommitCFieldEvent | CommitTimestampMsFieldEvent | CommitSignatureFieldEvent> {
    return streamMessage(buf, Commit.codec(), opts)
  }
}

export interface Reveal {
  network: string
  origin: Uint8Array<ArrayBuffer>
  epoch: bigint
  alpha: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
}

export namespace Reveal {
  let _codec: Codec<Reveal>

  export const codec = (): Codec<Reveal> => {
    if (_codec == null) {
      _codec = message<Reveal>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.network != null && obj.network !== '')) {
          w.uint32(10)
          w.string(obj.network)
        }

        if ((obj.origin != null && obj.origin.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.origin)
        }

        if ((obj.epoch != null && obj.epoch !== 0n)) {
          w.uint32(24)
          w.uint64(obj.epoch)
        }

        if ((obj.alpha != null && obj.alpha.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.alpha)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.signature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          network: '',
          origin: uint8ArrayAlloc(0),
          epoch: 0n,
          alpha: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.network = reader.string()
              break
            }
            case 2: {
              obj.origin = reader.bytes()
              break
            }
            case 3: {
              obj.epoch = reader.uint64()
              break
            }
            case 4: {
              obj.alpha = reader.bytes()
              break
            }
            case 5: {
              obj.signature = reader.bytes()
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
                field: `${prefix}.network`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.origin`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.alpha`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.signature`,
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

  export interface RevealNetworkFieldEvent {
    field: '$.network'
    value: string
  }

  export interface RevealOriginFieldEvent {
    field: '$.origin'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RevealEpochFieldEvent {
    field: '$.epoch'
    value: bigint
  }

  export interface RevealAlphaFieldEvent {
    field: '$.alpha'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RevealSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Reveal>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Reveal.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Reveal>): Reveal {
    return decodeMessage(buf, Reveal.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Reveal>): Generator<RevealNetworkFieldEvent | RevealOriginFieldEvent | RevealEpochFieldEvent | RevealAlphaFieldEvent | RevealSignatureFieldEvent> {
    return streamMessage(buf, Reveal.codec(), opts)
  }
}

export interface Recovery {
  network: string
  epoch: bigint
  commitsDigest: Uint8Array<ArrayBuffer>
  withheld: Uint8Array<ArrayBuffer>[]
  y: Uint8Array<ArrayBuffer>
  proof: Uint8Array<ArrayBuffer>
}

export namespace Recovery {
  let _codec: Codec<Recovery>

  export const codec = (): Codec<Recovery> => {
    if (_codec == null) {
      _codec = message<Recovery>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.network != null && obj.network !== '')) {
          w.uint32(10)
          w.string(obj.network)
        }

        if ((obj.epoch != null && obj.epoch !== 0n)) {
          w.uint32(16)
          w.uint64(obj.epoch)
        }

        if ((obj.commitsDigest != null && obj.commitsDigest.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.commitsDigest)
        }

        if (obj.withheld != null && obj.withheld.length > 0) {
          for (const value of obj.withheld) {
            w.uint32(34)
            w.bytes(value)
          }
        }

        if ((obj.y != null && obj.y.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.y)
        }

        if ((obj.proof != null && obj.proof.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.proof)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          network: '',
          epoch: 0n,
          commitsDigest: uint8ArrayAlloc(0),
          withheld: [],
          y: uint8ArrayAlloc(0),
          proof: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.network = reader.string()
              break
            }
            case 2: {
              obj.epoch = reader.uint64()
              break
            }
            case 3: {
              obj.commitsDigest = reader.bytes()
              break
            }
            case 4: {
              if (opts.limits?.withheld != null && obj.withheld.length === opts.limits.withheld) {
                throw new MaxLengthError('Decode error - repeated field "withheld" had too many elements')
              }

              obj.withheld.push(reader.bytes())
              break
            }
            case 5: {
              obj.y = reader.bytes()
              break
            }
            case 6: {
              obj.proof = reader.bytes()
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
          withheld: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.network`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.epoch`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.commitsDigest`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              if (opts.limits?.withheld != null && obj.withheld === opts.limits.withheld) {
                throw new MaxLengthError('Streaming decode error - repeated field "withheld" had too many elements')
              }

              yield {
                field: `${prefix}.withheld[]`,
                index: obj.withheld,
                value: reader.bytes()
              }

              obj.withheld++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.y`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.proof`,
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

  export interface RecoveryNetworkFieldEvent {
    field: '$.network'
    value: string
  }

  export interface RecoveryEpochFieldEvent {
    field: '$.epoch'
    value: bigint
  }

  export interface RecoveryCommitsDigestFieldEvent {
    field: '$.commitsDigest'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RecoveryWithheldFieldEvent {
    field: '$.withheld[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface RecoveryYFieldEvent {
    field: '$.y'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RecoveryProofFieldEvent {
    field: '$.proof'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Recovery>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Recovery.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Recovery>): Recovery {
    return decodeMessage(buf, Recovery.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Recovery>): Generator<RecoveryNetworkFieldEvent | RecoveryEpochFieldEvent | RecoveryCommitsDigestFieldEvent | RecoveryWithheldFieldEvent | RecoveryYFieldEvent | RecoveryProofFieldEvent> {
    return streamMessage(buf, Recovery.codec(), opts)
  }
}
