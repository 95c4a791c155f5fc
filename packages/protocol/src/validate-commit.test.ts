import { describe, expect, it, vi } from 'vitest'
import { i2osp } from './beacon/bytes.js'
import { ELEMENT_BYTES, N } from './beacon/group.js'
import { toHex } from './signing.js'
import { commitId, signCommit } from './signing-v2.js'
import {
  cBytes,
  commitBytes,
  epoch,
  key,
  member,
  nowMs,
  originHex,
  params,
  signedCommit,
  unsignedCommit,
} from './v2.fixtures.js'
import {
  COMMIT_VERDICTS,
  type CommitValidationContext,
  type CommitValidationResult,
  MAX_COMMITS_PER_ORIGIN,
  validateCommit,
} from './validate-v2.js'
import { encodeCommit } from './wire/codec-v2.js'
import * as wire from './wire/wire.js'

/** Every commit reason code a test produced, checked against the table at the end. */
const covered = new Set<string>()

function expectRefusal(r: CommitValidationResult, verdict: 'reject' | 'ignore', reason: string) {
  expect(r).toMatchObject({ verdict, reason })
  if (r.verdict !== 'accept') {
    expect(r.message.length).toBeGreaterThan(0)
    covered.add(r.reason)
  }
}

const context = (patch: Partial<CommitValidationContext> = {}): CommitValidationContext => ({
  params,
  nowMs,
  seen: () => false,
  isClosed: () => false,
  isFinal: () => false,
  ...patch,
})

describe('validateCommit: accept', () => {
  it('accepts a signed commit: its id, origin and decoded c', async () => {
    const c = await signedCommit()
    const result = validateCommit(encodeCommit(c), context())
    expect(result).toMatchObject({
      verdict: 'accept',
      commit: { idHex: toHex(commitId(unsignedCommit())), originHex, c: member.c, commit: c },
    })
  })

  it('accepts the edges: the next epoch, one commit held, a closed epoch by repair', async () => {
    const next = await commitBytes({ timestampMs: (epoch + 2) * params.epochMs - 1 })
    expect(validateCommit(next, context()).verdict).toBe('accept')
    const one = context({ commitsFrom: () => MAX_COMMITS_PER_ORIGIN - 1 })
    expect(validateCommit(await commitBytes(), one).verdict).toBe('accept')
    const repair = context({ isClosed: () => true, viaRepair: true })
    expect(validateCommit(await commitBytes(), repair).verdict).toBe('accept')
  })

  it('accepts a second, different commit of an origin: it is the evidence of equivocation', async () => {
    const other = await commitBytes({ timestampMs: nowMs - 200 })
    expect(validateCommit(other, context({ commitsFrom: () => 1 })).verdict).toBe('accept')
  })
})

describe('validateCommit: one crafted message per reason', () => {
  it('TOO_LARGE: above maxMessageBytes', async () => {
    const bytes = await commitBytes()
    const small = context({ params: { ...params, maxMessageBytes: bytes.length - 1 } })
    expectRefusal(validateCommit(bytes, small), 'reject', 'TOO_LARGE')
    const exact = context({ params: { ...params, maxMessageBytes: bytes.length } })
    expect(validateCommit(bytes, exact).verdict).toBe('accept')
  })

  it('DECODE: not protobuf, or no signature', async () => {
    expectRefusal(validateCommit(new Uint8Array([0xff, 0xff]), context()), 'reject', 'DECODE')
    const c = await signedCommit()
    const unsigned = wire.Commit.encode({
      network: c.network,
      origin: new Uint8Array(c.origin),
      epoch: BigInt(c.epoch),
      c: new Uint8Array(c.c),
      timestampMs: BigInt(c.timestampMs),
    })
    expectRefusal(validateCommit(unsigned, context()), 'reject', 'DECODE')
  })

  it('NON_CANONICAL: a validly signed commit padded with an unknown field', async () => {
    const bytes = await commitBytes()
    const padded = new Uint8Array([...bytes, 0x78, 0x01])
    expectRefusal(validateCommit(padded, context()), 'reject', 'NON_CANONICAL')
  })

  it('WRONG_NETWORK', async () => {
    const bytes = await commitBytes({ network: 'othernet' })
    expectRefusal(validateCommit(bytes, context()), 'reject', 'WRONG_NETWORK')
  })

  it('BAD_ELEMENT: c of the wrong length, 0, 1, or above (N−1)/2', async () => {
    const c = await signedCommit()
    const high = i2osp((N - 1n) / 2n + 1n, ELEMENT_BYTES)
    for (const bad of [cBytes.subarray(1), new Uint8Array(0), i2osp(1n, 256), high])
      expectRefusal(
        validateCommit(encodeCommit({ ...c, c: bad }), context()),
        'reject',
        'BAD_ELEMENT',
      )
  })

  it('WRONG_EPOCH: the epoch is not the timestamp’s', async () => {
    const bytes = await commitBytes({ epoch: epoch - 1 })
    expectRefusal(validateCommit(bytes, context()), 'reject', 'WRONG_EPOCH')
  })

  it('EPOCH_TOO_FAR_AHEAD: more than one epoch ahead', async () => {
    const bytes = await commitBytes({ timestampMs: (epoch + 2) * params.epochMs })
    expectRefusal(validateCommit(bytes, context()), 'ignore', 'EPOCH_TOO_FAR_AHEAD')
  })

  it('EPOCH_FINAL and EPOCH_CLOSED: frozen, or closed and not by repair', async () => {
    const bytes = await commitBytes()
    const isFinal = vi.fn(() => true)
    expectRefusal(
      validateCommit(bytes, context({ isFinal, viaRepair: true })),
      'ignore',
      'EPOCH_FINAL',
    )
    expect(isFinal).toHaveBeenCalledWith(epoch)
    expectRefusal(
      validateCommit(bytes, context({ isClosed: () => true })),
      'ignore',
      'EPOCH_CLOSED',
    )
  })

  it('DUPLICATE: the commit id is held, decided before the signature', async () => {
    const c = await signedCommit()
    const forged = encodeCommit({ ...c, signature: new Uint8Array(64) })
    const id = toHex(commitId(c))
    expectRefusal(validateCommit(forged, context({ seen: (h) => h === id })), 'ignore', 'DUPLICATE')
  })

  it('TOO_MANY_COMMITS: an origin with two commits held is ignored before its signature', async () => {
    const c = await signedCommit()
    const forged = encodeCommit({ ...c, signature: new Uint8Array(64) })
    const commitsFrom = vi.fn(() => MAX_COMMITS_PER_ORIGIN)
    expectRefusal(validateCommit(forged, context({ commitsFrom })), 'ignore', 'TOO_MANY_COMMITS')
    expect(commitsFrom).toHaveBeenCalledWith(originHex, c.epoch)
  })

  it('BAD_ORIGIN: not an Ed25519 peer id', async () => {
    const c = await signedCommit()
    const bytes = encodeCommit({ ...c, origin: new Uint8Array([0x00, 0x03, 1, 2, 3]) })
    expectRefusal(validateCommit(bytes, context()), 'reject', 'BAD_ORIGIN')
  })

  it('STRANGER: not a member here, before the signature', async () => {
    const c = await signedCommit()
    const forged = encodeCommit({ ...c, signature: new Uint8Array(64) })
    const admits = vi.fn(() => false)
    expectRefusal(validateCommit(forged, context({ admits })), 'ignore', 'STRANGER')
    expect(admits).toHaveBeenCalledWith(originHex)
  })

  it('BAD_SIGNATURE: a field changed after signing', async () => {
    const c = await signCommit(key, unsignedCommit())
    const forged = encodeCommit({ ...c, timestampMs: c.timestampMs + 1 })
    expectRefusal(validateCommit(forged, context()), 'reject', 'BAD_SIGNATURE')
  })
})

// Last in the file (tests of a file run in order).
describe('commit reason codes', () => {
  it('every commit reason code was produced by a test above', () => {
    expect([...covered].sort()).toEqual(Object.keys(COMMIT_VERDICTS).sort())
  })
})
