import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../errors.js'
import { voteSigningBytes } from '../signing-bytes.js'
import type { UnsignedVote } from '../types.js'
import { testOrigin } from './beacon.fixtures.js'
import {
  commitSigningBytes,
  revealSigningBytes,
  voteCommitsTail,
  voteSigningBytesWithCommits,
} from './messages.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const u32 = (v: number) => Buffer.from([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff])
const u64 = (v: number) => {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(v))
  return b
}
const origin = testOrigin('messages')

describe('signing bytes of version 2', () => {
  it('Commit: DST("commit") ‖ str network ‖ bin origin ‖ u64 epoch ‖ bin c ‖ u64 timestamp_ms', () => {
    const c = new Uint8Array(256).fill(7)
    const bytes = commitSigningBytes({
      network: 'net',
      origin,
      epoch: 9,
      c,
      timestampMs: 1_700_000_000_123,
    })
    const expected = Buffer.concat([
      Buffer.from('alara/v2/commit\0'),
      Buffer.from([0, 3]),
      Buffer.from('net'),
      u32(38),
      origin,
      u64(9),
      u32(256),
      c,
      u64(1_700_000_000_123),
    ])
    expect(hex(bytes)).toBe(expected.toString('hex'))
  })

  it('Reveal: DST("reveal") ‖ str network ‖ bin origin ‖ u64 epoch ‖ bin alpha', () => {
    const alpha = new Uint8Array(272).fill(0xa5)
    const bytes = revealSigningBytes({ network: 'default', origin, epoch: 2 ** 40, alpha })
    const expected = Buffer.concat([
      Buffer.from('alara/v2/reveal\0'),
      Buffer.from([0, 7]),
      Buffer.from('default'),
      u32(38),
      origin,
      u64(2 ** 40),
      u32(272),
      alpha,
    ])
    expect(hex(bytes)).toBe(expected.toString('hex'))
  })

  it('a vote with commits ends with bin commits_digest ‖ u32 commit_count, one without is version 1', () => {
    const vote: UnsignedVote = {
      network: 'default',
      origin,
      epoch: 5,
      digest: new Uint8Array(32).fill(1),
      count: 2,
      beacon: new Uint8Array(32).fill(2),
      timestampMs: 123,
    }
    const digest = new Uint8Array(32).fill(3)
    expect(hex(voteCommitsTail(digest, 4))).toBe(
      Buffer.concat([u32(32), digest, u32(4)]).toString('hex'),
    )
    expect(hex(voteSigningBytesWithCommits(vote, digest, 4))).toBe(
      hex(voteSigningBytes(vote)) + hex(voteCommitsTail(digest, 4)),
    )
    expect(voteSigningBytesWithCommits(vote, new Uint8Array(0), 0)).toEqual(voteSigningBytes(vote))
    expect(() => voteCommitsTail(digest, 0)).toThrow(InvalidInputError)
    expect(() => voteCommitsTail(new Uint8Array(31), 1)).toThrow(InvalidInputError)
    expect(() => voteCommitsTail(digest, 2 ** 32)).toThrow(InvalidInputError)
  })
})
