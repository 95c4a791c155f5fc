import { describe, expect, it } from 'vitest'
import { signVote, toHex } from '../signing.js'
import type { Vote } from '../types.js'
import { key, unsignedVote } from '../validate.fixtures.js'
import { decodeVote, encodeVote } from '../wire/codec.js'
import type { VoucherEvidence } from './book.js'
import { encodeWithEvidence } from './re-vote.js'

const vote: Vote = await signVote(key, unsignedVote({ count: 2 }))
const idHex = (b: number) => toHex(new Uint8Array(32).fill(b))
const own = [idHex(1), idHex(3)]
const vouchers: VoucherEvidence[] = [
  {
    vote: encodeVote({
      ...vote,
      origin: new Uint8Array([0, 36, 8, 1, 18, 32, ...new Array(32).fill(9)]),
    }),
    originHex: 'aa',
    ids: [idHex(1), idHex(3), idHex(5)],
  },
]
const evidenceIds = (bytes: Uint8Array) =>
  decodeVote(bytes).evidence?.map((e) => e.ids.map(toHex)) ?? []

describe('encodeWithEvidence', () => {
  const full = encodeWithEvidence(vote, own, vouchers, 65_536)
  const ownOnly = encodeWithEvidence(vote, own, [], 65_536)
  const bare = encodeVote(vote)

  it('carries the own ids, then each voucher with the ids behind its digest', () => {
    expect(evidenceIds(full)).toEqual([own, vouchers[0]?.ids])
    expect(decodeVote(full).evidence?.[1]?.vote).toEqual(vouchers[0]?.vote)
  })

  it('drops the vouchers, then all evidence, rather than pass maxVoteBytes', () => {
    expect(ownOnly.length).toBeLessThan(full.length)
    expect(encodeWithEvidence(vote, own, vouchers, full.length)).toEqual(full)
    expect(encodeWithEvidence(vote, own, vouchers, full.length - 1)).toEqual(ownOnly)
    expect(encodeWithEvidence(vote, own, vouchers, ownOnly.length - 1)).toEqual(bare)
  })

  it('signs the same bytes whatever it carries (the evidence is outside the signature)', () => {
    const { evidence: _, ...signed } = decodeVote(full)
    expect(signed).toEqual(vote)
  })
})
