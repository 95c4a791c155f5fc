import { readFileSync } from 'node:fs'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it, vi } from 'vitest'
import { originOf, signVote, toHex, voteId } from './signing.js'
import type { UnsignedVote } from './types.js'
import { epoch, key, nowMs, originHex, params, unsignedVote } from './validate.fixtures.js'
import {
  VOTE_VERDICTS,
  type VoteValidationContext,
  type VoteValidationResult,
  validateVote,
} from './validate.js'
import { encodeVote } from './wire/codec.js'

/** Every vote reason code a test produced, checked against the table at the end. */
const covered = new Set<string>()

function expectVoteRefusal(
  result: VoteValidationResult,
  verdict: 'reject' | 'ignore',
  reason: string,
) {
  expect(result).toMatchObject({ verdict, reason })
  if (result.verdict !== 'accept') covered.add(result.reason)
}

describe('validateVote', () => {
  const currentEpoch = epoch
  const voteBytes = async (patch: Partial<UnsignedVote> = {}) =>
    encodeVote(await signVote(key, unsignedVote(patch)))
  const vctx = (patch: Partial<VoteValidationContext> = {}): VoteValidationContext => ({
    params,
    nowMs,
    ...patch,
  })

  it('accepts a signed vote, and an empty epoch (count 0, no beacon)', async () => {
    const result = validateVote(await voteBytes(), vctx())
    expect(result).toMatchObject({
      verdict: 'accept',
      vote: { idHex: toHex(voteId(unsignedVote())), originHex },
    })
    const empty = await voteBytes({ count: 0, beacon: new Uint8Array(0) })
    expect(validateVote(empty, vctx()).verdict).toBe('accept')
  })

  it('accepts the reference vote', async () => {
    const vectors = JSON.parse(
      readFileSync(new URL('../../../test/vectors/v1.json', import.meta.url), 'utf8'),
    ) as {
      key: { seed: string }
      network: string
      vote: { epoch: number; digest: string; count: number; beacon: string; timestamp: number }
    }
    const refKey = await generateKeyPairFromSeed('Ed25519', Buffer.from(vectors.key.seed, 'hex'))
    const v = vectors.vote
    const bytes = encodeVote(
      await signVote(refKey, {
        network: vectors.network,
        origin: originOf(peerIdFromPrivateKey(refKey)),
        epoch: v.epoch,
        digest: Buffer.from(v.digest, 'hex'),
        count: v.count,
        beacon: Buffer.from(v.beacon, 'hex'),
        timestampMs: v.timestamp,
      }),
    )
    const ctx = vctx({ params: { ...params, network: vectors.network }, nowMs: v.timestamp })
    expect(validateVote(bytes, ctx).verdict).toBe('accept')
  })

  it('TOO_LARGE (above maxVoteBytes, not maxMessageBytes) and DECODE', async () => {
    const bytes = await voteBytes()
    const small = vctx({ params: { ...params, maxVoteBytes: bytes.length - 1 } })
    expectVoteRefusal(validateVote(bytes, small), 'reject', 'TOO_LARGE')
    const exact = { ...params, maxVoteBytes: bytes.length, maxMessageBytes: 16 }
    expect(validateVote(bytes, vctx({ params: exact })).verdict).toBe('accept')
    expectVoteRefusal(validateVote(new Uint8Array([0x0a, 0x05, 0x61]), vctx()), 'reject', 'DECODE')
  })

  it('NON_CANONICAL: a validly signed vote with a field written twice', async () => {
    const bytes = await voteBytes()
    expect(validateVote(bytes, vctx()).verdict).toBe('accept')
    const network = new TextEncoder().encode(params.network)
    const doubled = new Uint8Array([0x0a, network.length, ...network, ...bytes])
    expectVoteRefusal(validateVote(doubled, vctx()), 'reject', 'NON_CANONICAL')
  })

  it('WRONG_NETWORK', async () => {
    expectVoteRefusal(
      validateVote(await voteBytes({ network: 'othernet' }), vctx()),
      'reject',
      'WRONG_NETWORK',
    )
  })

  it('DIGEST_LENGTH: the digest is not 32 bytes', async () => {
    for (const digest of [new Uint8Array(0), new Uint8Array(31), new Uint8Array(33)])
      expectVoteRefusal(
        validateVote(await voteBytes({ digest }), vctx()),
        'reject',
        'DIGEST_LENGTH',
      )
  })

  it('BEACON_LENGTH: the beacon is neither empty nor 32 bytes', async () => {
    const bytes = await voteBytes({ beacon: new Uint8Array(16) })
    expectVoteRefusal(validateVote(bytes, vctx()), 'reject', 'BEACON_LENGTH')
  })

  it('BEACON_COUNT: a beacon without contributions, or contributions without a beacon', async () => {
    const noCount = await voteBytes({ count: 0 })
    expectVoteRefusal(validateVote(noCount, vctx()), 'reject', 'BEACON_COUNT')
    const noBeacon = await voteBytes({ beacon: new Uint8Array(0) })
    expectVoteRefusal(validateVote(noBeacon, vctx()), 'reject', 'BEACON_COUNT')
  })

  it('accepts a vote of version 2: its commit-set fields signed, its id over them', async () => {
    const commits = { commitsDigest: new Uint8Array(32).fill(5), commitCount: 3 }
    const v = await signVote(key, unsignedVote(commits))
    const result = validateVote(encodeVote(v), vctx())
    expect(result).toMatchObject({
      verdict: 'accept',
      vote: { idHex: toHex(voteId(unsignedVote(commits))), vote: commits },
    })
    expect(toHex(voteId(unsignedVote(commits)))).not.toBe(toHex(voteId(unsignedVote())))
    // the fields are signed: another count, or the same vote without them, is forged
    for (const forged of [
      { ...v, commitCount: 4 },
      { ...v, commitsDigest: undefined, commitCount: undefined },
    ])
      expectVoteRefusal(validateVote(encodeVote(forged), vctx()), 'reject', 'BAD_SIGNATURE')
  })

  it('COMMITS_DIGEST: no 32-byte digest with commits, or a digest with none', async () => {
    await expect(
      signVote(key, unsignedVote({ commitsDigest: new Uint8Array(31), commitCount: 1 })),
    ).rejects.toThrow(/commits_digest is 31 bytes/)
    const v = await signVote(key, unsignedVote())
    for (const commits of [
      { commitsDigest: new Uint8Array(31), commitCount: 1 },
      { commitCount: 1 },
      { commitsDigest: new Uint8Array(32) },
    ])
      expectVoteRefusal(
        validateVote(encodeVote({ ...v, ...commits }), vctx()),
        'reject',
        'COMMITS_DIGEST',
      )
  })

  it('EPOCH_TOO_FAR_AHEAD: a vote for an epoch that has not ended here', async () => {
    const bytes = await voteBytes({ epoch: currentEpoch })
    expectVoteRefusal(validateVote(bytes, vctx()), 'ignore', 'EPOCH_TOO_FAR_AHEAD')
  })

  it('EPOCH_TOO_OLD: a valid vote older than the receiver retains (only when told the window)', async () => {
    const bytes = await voteBytes({ epoch: currentEpoch - 2 })
    expect(validateVote(bytes, vctx()).verdict).toBe('accept')
    expect(validateVote(bytes, vctx({ oldestEpoch: currentEpoch - 2 })).verdict).toBe('accept')
    expectVoteRefusal(
      validateVote(bytes, vctx({ oldestEpoch: currentEpoch - 1 })),
      'ignore',
      'EPOCH_TOO_OLD',
    )
    // a forged old vote is still a reject: the age is checked after the signature
    const v = await signVote(key, unsignedVote({ epoch: currentEpoch - 2 }))
    const forged = encodeVote({ ...v, count: v.count + 1 })
    expectVoteRefusal(
      validateVote(forged, vctx({ oldestEpoch: currentEpoch - 1 })),
      'reject',
      'BAD_SIGNATURE',
    )
  })

  it('DUPLICATE: when the caller tracks seen votes', async () => {
    const bytes = await voteBytes()
    const id = toHex(voteId(unsignedVote()))
    expectVoteRefusal(validateVote(bytes, vctx({ seen: (h) => h === id })), 'ignore', 'DUPLICATE')
  })

  it('DUPLICATE is decided before the signature, with the origin and epoch of the vote', async () => {
    const v = await signVote(key, unsignedVote())
    const bad = encodeVote({ ...v, signature: new Uint8Array(64) })
    const seen = vi.fn(() => true)
    expectVoteRefusal(validateVote(bad, vctx({ seen })), 'ignore', 'DUPLICATE')
    expect(seen).toHaveBeenCalledWith(toHex(voteId(unsignedVote())), toHex(v.origin), v.epoch)
    // not seen: the same bytes are judged by their signature
    expectVoteRefusal(validateVote(bad, vctx({ seen: () => false })), 'reject', 'BAD_SIGNATURE')
  })

  it('TOO_MANY_VOTES: an origin at the re-vote bound is ignored before its signature', async () => {
    const v = await signVote(key, unsignedVote())
    const forged = encodeVote({ ...v, count: 4 })
    const votesFrom = vi.fn(() => 8)
    expectVoteRefusal(
      validateVote(forged, vctx({ votesFrom, maxVotesPerOrigin: 8 })),
      'ignore',
      'TOO_MANY_VOTES',
    )
    expect(votesFrom).toHaveBeenCalledWith(toHex(v.origin), v.epoch)
    const genuine = encodeVote(v)
    expect(validateVote(genuine, vctx({ votesFrom: () => 7, maxVotesPerOrigin: 8 })).verdict).toBe(
      'accept',
    )
  })

  it('BAD_ORIGIN and BAD_SIGNATURE', async () => {
    const v = await signVote(key, unsignedVote())
    const badOrigin = encodeVote({ ...v, origin: new Uint8Array([0x00, 0x03, 1, 2, 3]) })
    expectVoteRefusal(validateVote(badOrigin, vctx()), 'reject', 'BAD_ORIGIN')
    const badSig = encodeVote({ ...v, count: 4 })
    expectVoteRefusal(validateVote(badSig, vctx()), 'reject', 'BAD_SIGNATURE')
  })

  it('BAD_EVIDENCE: own ids that do not hash to the digest (validate-vote-evidence.test.ts has the rest)', async () => {
    const v = await signVote(key, unsignedVote())
    const bytes = encodeVote({ ...v, evidence: [{ ids: [new Uint8Array(32)] }] })
    expectVoteRefusal(validateVote(bytes, vctx()), 'reject', 'BAD_EVIDENCE')
  })

  it('STRANGER: a vote the receiver will not keep is ignored before the signature', async () => {
    const v = await signVote(key, unsignedVote())
    const forged = encodeVote({ ...v, count: 4 })
    const admits = vi.fn(() => false)
    expectVoteRefusal(validateVote(forged, vctx({ admits })), 'ignore', 'STRANGER')
    expect(admits).toHaveBeenCalledWith(toHex(v.origin), v.epoch)
    expectVoteRefusal(validateVote(forged, vctx({ admits: () => true })), 'reject', 'BAD_SIGNATURE')
  })
})

// Last in the file (tests of a file run in order): one crafted message per reason code.
describe('reason codes', () => {
  it('every vote reason code was produced by a test above', () => {
    expect([...covered].sort()).toEqual(Object.keys(VOTE_VERDICTS).sort())
  })
})
