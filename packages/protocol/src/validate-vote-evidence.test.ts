import { describe, expect, it } from 'vitest'
import { idsOf, reVote, signedOver, voteEpoch, voucherKeys } from './evidence.fixtures.js'
import { gossipMessageId, toHex, voteId } from './signing.js'
import type { Vote } from './types.js'
import { key, nowMs, params } from './validate.fixtures.js'
import { type VoteValidationResult, validateVote } from './validate.js'
import { MAX_VOUCHERS } from './validate-evidence.js'
import { decodeVote, encodeBareVote, encodeVote } from './wire/codec.js'

/** validateVote on re-votes that carry evidence (DESIGN.md, "Re-votes carry their evidence"). */

const validate = (bytes: Uint8Array): VoteValidationResult => validateVote(bytes, { params, nowMs })
const [k1, k2, k3] = voucherKeys as [
  (typeof voucherKeys)[0],
  (typeof voucherKeys)[0],
  (typeof voucherKeys)[0],
]
const own = idsOf('own', 10)
const hidden = idsOf('hidden', 2)

function expectBadEvidence(result: VoteValidationResult, message: RegExp) {
  expect(result).toMatchObject({ verdict: 'reject', reason: 'BAD_EVIDENCE' })
  if (result.verdict !== 'accept') expect(result.message).toMatch(message)
}

describe('validateVote with evidence', () => {
  it('accepts a re-vote with its vouchers and hands them over verified', async () => {
    const v1 = await signedOver(k1, [...own, ...hidden])
    const v2 = await signedOver(k2, own.slice(0, 4))
    const v3 = await signedOver(k3, [])
    const bytes = await reVote(own, [
      { vote: v1, ids: [...own, ...hidden] },
      { vote: v2, ids: own.slice(0, 4) },
      { vote: v3, ids: [] },
    ])
    const result = validate(bytes)
    if (result.verdict !== 'accept') throw new Error(result.message)
    const hex = (ids: Uint8Array[]) => ids.map(toHex).sort()
    expect(result.evidence?.ids).toEqual(hex(own))
    expect(result.evidence?.vouchers.map((v) => v.vote.originHex)).toEqual(
      [v1, v2, v3].map((v) => toHex(v.origin)),
    )
    expect(result.evidence?.vouchers[0]?.ids).toEqual(hex([...own, ...hidden]))
    expect(result.evidence?.vouchers[0]?.encoded).toEqual(encodeBareVote(v1))
    expect(result.evidence?.vouchers[1]?.vote.idHex).toBe(toHex(voteId(v2)))
    // evidence is outside the signature: same vote id as the bare vote, another message id
    const bare = encodeBareVote(decodeVote(bytes))
    expect(result.vote.idHex).toBe((validate(bare) as { vote: { idHex: string } }).vote.idHex)
    expect(validate(bare)).not.toHaveProperty('evidence')
    expect(toHex(gossipMessageId(bytes))).not.toBe(toHex(gossipMessageId(bare)))
  })

  it('accepts entry 0 alone (a vote that spreads its own ids)', async () => {
    const result = validate(await reVote(own, []))
    expect(result).toMatchObject({ verdict: 'accept', evidence: { vouchers: [] } })
  })

  it('BAD_EVIDENCE: own ids that do not hash to the digest, or not count of them', async () => {
    const mine = await signedOver(key, own)
    const withIds = (ids: Uint8Array[]) => encodeVote({ ...mine, evidence: [{ ids }] })
    expectBadEvidence(validate(withIds(own.slice(1))), /own ids: 9 ids for a count of 10/)
    expectBadEvidence(
      validate(withIds([...own.slice(1), hidden[0] as Uint8Array])),
      /own ids: they do not hash/,
    )
  })

  it('BAD_EVIDENCE: a voucher that is not a genuine vote of this network and epoch', async () => {
    const ids = own.slice(0, 3)
    const good = await signedOver(k1, ids)
    const cases: Array<[Promise<Uint8Array> | Uint8Array, RegExp]> = [
      // forged: a field changed after signing
      [encodeBareVote({ ...good, timestampMs: good.timestampMs + 1 }), /signature/],
      [encodeBareVote(await signedOver(k1, ids, { epoch: voteEpoch - 1 })), /epoch/],
      [encodeBareVote(await signedOver(k1, ids, { network: 'elsewhere' })), /network/],
      [encodeBareVote({ ...good, origin: new Uint8Array([0, 3, 1, 2, 3]) }), /voucher 1:/],
      [encodeBareVote(await signedOver(k1, ids, { beacon: new Uint8Array(0) })), /beacon/],
      // not canonical: a field written twice
      [new Uint8Array([0x0a, 1, 0x61, ...encodeBareVote(good)]), /not canonically encoded/],
      [new Uint8Array([0xff, 0xff]), /voucher 1: vote is not valid protobuf/],
      // evidence of its own
      [encodeVote({ ...good, evidence: [{ ids }] }), /evidence of its own/],
    ]
    for (const [encoded, message] of cases)
      expectBadEvidence(validate(await reVote(own, [{ encoded: await encoded, ids }])), message)
  })

  it("BAD_EVIDENCE: a voucher's ids that do not hash to its digest, or not count of them", async () => {
    const v = await signedOver(k1, [...own, ...hidden])
    expectBadEvidence(
      validate(await reVote(own, [{ vote: v, ids: own }])),
      /voucher 1's ids: 10 ids for a count of 12/,
    )
    const swapped = [...own.slice(1), ...hidden, idsOf('other', 1)[0] as Uint8Array]
    expectBadEvidence(
      validate(await reVote(own, [{ vote: v, ids: swapped }])),
      /voucher 1's ids: they do not hash/,
    )
  })

  it(`BAD_EVIDENCE: more than ${MAX_VOUCHERS} vouchers, or one twice`, async () => {
    const votes = await Promise.all(voucherKeys.map((k) => signedOver(k, own)))
    const vouchers = votes.map((vote: Vote) => ({ vote, ids: own }))
    expect(validate(await reVote(own, vouchers.slice(0, MAX_VOUCHERS))).verdict).toBe('accept')
    expectBadEvidence(validate(await reVote(own, vouchers)), /9 vouchers, at most 8/)
    const twice = [vouchers[0], vouchers[1], vouchers[0]] as typeof vouchers
    expectBadEvidence(validate(await reVote(own, twice)), /voucher 3 repeats/)
  })

  it('a forged re-vote is refused for its own signature before any voucher is checked', async () => {
    const bytes = await reVote(own, [{ vote: await signedOver(k1, own), ids: own }])
    const v = decodeVote(bytes)
    const forged = encodeVote({ ...v, timestampMs: v.timestampMs + 1 })
    expect(validate(forged)).toMatchObject({ verdict: 'reject', reason: 'BAD_SIGNATURE' })
  })

  it('evidence in a shape the codec would not write is refused before the signature', async () => {
    const bytes = await reVote(own, [])
    // entry 0's ids out of order: swap the first two ids in place
    const out = Uint8Array.from(bytes)
    const at = out.length - own.length * 32
    const sorted = [...own].sort(Buffer.compare)
    out.set(sorted[1] as Uint8Array, at)
    out.set(sorted[0] as Uint8Array, at + 32)
    expect(validate(out)).toMatchObject({ verdict: 'reject', reason: 'NON_CANONICAL' })
  })
})
