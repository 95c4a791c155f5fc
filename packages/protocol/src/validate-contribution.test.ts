import { readFileSync } from 'node:fs'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it, vi } from 'vitest'
import { packBitString } from './bits.js'
import { contributionId, contributionSigningBytes, toHex } from './signing.js'
import {
  context,
  encoded,
  epoch,
  healthyBits,
  nowMs,
  originHex,
  params,
  signed,
  unsigned,
} from './validate.fixtures.js'
import { CONTRIBUTION_VERDICTS, type ValidationResult, validateContribution } from './validate.js'
import { encodeContribution } from './wire/codec.js'
import * as wire from './wire/wire.js'

/** Every contribution reason code a test produced, checked against the table at the end. */
const covered = new Set<string>()

function expectRefusal(result: ValidationResult, verdict: 'reject' | 'ignore', reason: string) {
  expect(result).toMatchObject({ verdict, reason })
  if (result.verdict !== 'accept') {
    expect(result.message.length).toBeGreaterThan(0)
    covered.add(result.reason)
  }
}

describe('validateContribution: accept', () => {
  it('accepts a well-formed signed contribution and returns its id once computed', async () => {
    const c = await signed()
    const result = validateContribution(encodeContribution(c), context())
    expect(result.verdict).toBe('accept')
    if (result.verdict !== 'accept') return
    expect(result.contribution.contribution).toEqual(c)
    expect(result.contribution.id).toEqual(contributionId(c))
    expect(result.contribution.idHex).toBe(toHex(contributionId(c)))
    expect(result.contribution.originHex).toBe(originHex)
  })

  it('accepts the edges: 1 bit, maxBits bits, next epoch, 2 × maxPerEpoch - 1 stored', async () => {
    const oneBit = await encoded({ bitLength: 1, bits: new Uint8Array([0x80]) })
    expect(validateContribution(oneBit, context()).verdict).toBe('accept')
    const full = await encoded({ bitLength: params.maxBits, bits: healthyBits(params.maxBits) })
    expect(validateContribution(full, context()).verdict).toBe('accept')
    const next = await encoded({ timestampMs: (epoch + 2) * params.epochMs - 1 })
    expect(validateContribution(next, context()).verdict).toBe('accept')
    const ctx = context({ countFor: () => 2 * params.maxPerEpoch - 1 })
    expect(validateContribution(await encoded(), ctx).verdict).toBe('accept')
  })

  it('accepts a message of exactly maxMessageBytes', async () => {
    const bytes = await encoded()
    const ctx = context({ params: { ...params, maxMessageBytes: bytes.length } })
    expect(validateContribution(bytes, ctx).verdict).toBe('accept')
  })

  it('accepts the reference vectors', async () => {
    const vectors = JSON.parse(
      readFileSync(new URL('../../../test/vectors/v1.json', import.meta.url), 'utf8'),
    ) as {
      network: string
      contributions: Array<{ encoded: string; id: string; timestamp: number }>
    }
    const ctx = context({
      params: { ...params, network: vectors.network },
      nowMs: (vectors.contributions[0]?.timestamp ?? 0) + 1000,
    })
    for (const v of vectors.contributions) {
      const result = validateContribution(new Uint8Array(Buffer.from(v.encoded, 'hex')), ctx)
      expect(result).toMatchObject({ verdict: 'accept', contribution: { idHex: v.id } })
    }
  })
})

describe('validateContribution: one crafted message per reason', () => {
  it('TOO_LARGE: above maxMessageBytes', async () => {
    const bytes = await encoded()
    const ctx = context({ params: { ...params, maxMessageBytes: bytes.length - 1 } })
    expectRefusal(validateContribution(bytes, ctx), 'reject', 'TOO_LARGE')
  })

  it('DECODE: not protobuf, or a required field missing', async () => {
    expectRefusal(
      validateContribution(new Uint8Array([0xff, 0xff, 0xff]), context()),
      'reject',
      'DECODE',
    )
    const c = await signed()
    const noSignature = wire.Contribution.encode({
      network: c.network,
      origin: new Uint8Array(c.origin),
      seq: 1n,
      epoch: BigInt(c.epoch),
      timestampMs: BigInt(c.timestampMs),
      bitLength: c.bitLength,
      bits: new Uint8Array(c.bits),
    })
    expectRefusal(validateContribution(noSignature, context()), 'reject', 'DECODE')
  })

  it('NON_CANONICAL: a validly signed message padded with an unknown field', async () => {
    const enc = await encoded()
    expect(validateContribution(enc, context()).verdict).toBe('accept')
    const padded = new Uint8Array([...enc, 0x78, 0x01]) // field 15, varint 1
    expectRefusal(validateContribution(padded, context()), 'reject', 'NON_CANONICAL')
  })

  it('WRONG_NETWORK: signed for another network', async () => {
    const bytes = await encoded({ network: 'othernet' })
    expectRefusal(validateContribution(bytes, context()), 'reject', 'WRONG_NETWORK')
  })

  it('BIT_LENGTH: zero bits, or more than maxBits', async () => {
    const zero = await encoded({ bitLength: 0, bits: new Uint8Array(0) })
    expectRefusal(validateContribution(zero, context()), 'reject', 'BIT_LENGTH')
    const over = params.maxBits + 8
    const tooMany = await encoded({ bitLength: over, bits: healthyBits(over) })
    const ctx = context({ params: { ...params, maxMessageBytes: 64 * 1024 } })
    expectRefusal(validateContribution(tooMany, ctx), 'reject', 'BIT_LENGTH')
  })

  it('BITS_LENGTH: bits shorter or longer than ceil(bit_length / 8)', async () => {
    const short = await encoded({ bitLength: 12, bits: new Uint8Array([0xab]) })
    expectRefusal(validateContribution(short, context()), 'reject', 'BITS_LENGTH')
    const long = await encoded({ bitLength: 12, bits: new Uint8Array([0xab, 0xc0, 0x00]) })
    expectRefusal(validateContribution(long, context()), 'reject', 'BITS_LENGTH')
  })

  it('BITS_PADDING: a set bit after bit_length in the last byte', async () => {
    const bytes = await encoded({ bitLength: 12, bits: new Uint8Array([0xab, 0xc1]) })
    expectRefusal(validateContribution(bytes, context()), 'reject', 'BITS_PADDING')
  })

  it('WRONG_EPOCH: epoch is not floor(timestamp / epochMs)', async () => {
    const bytes = await encoded({ epoch: epoch - 1, timestampMs: nowMs })
    expectRefusal(validateContribution(bytes, context()), 'reject', 'WRONG_EPOCH')
  })

  it('EPOCH_TOO_FAR_AHEAD: two epochs ahead of the local clock', async () => {
    const bytes = await encoded({ timestampMs: (epoch + 2) * params.epochMs })
    expectRefusal(validateContribution(bytes, context()), 'ignore', 'EPOCH_TOO_FAR_AHEAD')
  })

  it('EPOCH_CLOSED: late for a closed epoch, unless it comes by repair', async () => {
    const bytes = await encoded()
    const closed = (e: number) => e === epoch
    expectRefusal(
      validateContribution(bytes, context({ isClosed: closed })),
      'ignore',
      'EPOCH_CLOSED',
    )
    const repair = context({ isClosed: closed, viaRepair: true })
    expect(validateContribution(bytes, repair).verdict).toBe('accept')
  })

  it('EPOCH_FINAL: a final epoch refuses it, by gossip and by repair', async () => {
    const bytes = await encoded()
    const final = { isClosed: () => true, isFinal: (e: number) => e === epoch }
    expectRefusal(validateContribution(bytes, context(final)), 'ignore', 'EPOCH_FINAL')
    const repair = context({ ...final, viaRepair: true })
    expectRefusal(validateContribution(bytes, repair), 'ignore', 'EPOCH_FINAL')
  })

  it('DUPLICATE: its id is stored already', async () => {
    const c = await signed()
    const id = toHex(contributionId(c))
    const ctx = context({ seen: (idHex) => idHex === id })
    expectRefusal(validateContribution(encodeContribution(c), ctx), 'ignore', 'DUPLICATE')
  })

  it('BAD_ORIGIN: a secp256k1 peer id as origin', async () => {
    const secp = await generateKeyPair('secp256k1')
    const u = unsigned({ origin: peerIdFromPrivateKey(secp).toMultihash().bytes })
    const signature = await secp.sign(contributionSigningBytes(u))
    const bytes = encodeContribution({ ...u, signature })
    expectRefusal(validateContribution(bytes, context()), 'reject', 'BAD_ORIGIN')
  })

  it('HEALTH_RCT: a run of 41 identical bits', async () => {
    const { bits, bitLength } = packBitString(`01${'1'.repeat(40)}0${'10'.repeat(20)}`)
    const bytes = await encoded({ bits, bitLength })
    expectRefusal(validateContribution(bytes, context()), 'reject', 'HEALTH_RCT')
    const { bits: ok, bitLength: okLength } = packBitString(`0${'1'.repeat(40)}0${'10'.repeat(20)}`)
    const passing = await encoded({ bits: ok, bitLength: okLength })
    expect(validateContribution(passing, context()).verdict).toBe('accept')
  })

  it('HEALTH_APT: 625 of a 1024-bit window equal to its first bit', async () => {
    const vectors = JSON.parse(
      readFileSync(new URL('../../../test/vectors/v1.json', import.meta.url), 'utf8'),
    ) as { health: Array<{ bits: string; apt?: string }> }
    const failing = vectors.health.find((h) => h.apt === 'fail')
    const passing = vectors.health.find((h) => h.apt === 'pass')
    if (failing === undefined || passing === undefined) throw new Error('vectors lack APT cases')
    const bad = await encoded(packBitString(failing.bits))
    expectRefusal(validateContribution(bad, context()), 'reject', 'HEALTH_APT')
    const good = await encoded(packBitString(passing.bits))
    expect(validateContribution(good, context()).verdict).toBe('accept')
  })

  it('BAD_SIGNATURE: a flipped signature bit, or another key signing under this origin', async () => {
    const c = await signed()
    const flipped = c.signature.map((b, i) => (i === 0 ? b ^ 0x01 : b))
    const bytes = encodeContribution({ ...c, signature: flipped })
    expectRefusal(validateContribution(bytes, context()), 'reject', 'BAD_SIGNATURE')
    const other = await generateKeyPair('Ed25519')
    const forged = await other.sign(contributionSigningBytes(c))
    const forgedBytes = encodeContribution({ ...c, signature: forged })
    expectRefusal(validateContribution(forgedBytes, context()), 'reject', 'BAD_SIGNATURE')
    const short = encodeContribution({ ...c, signature: c.signature.subarray(0, 32) })
    expectRefusal(validateContribution(short, context()), 'reject', 'BAD_SIGNATURE')
  })

  it('TOO_MANY_IN_EPOCH: the origin already has 2 × maxPerEpoch in that epoch', async () => {
    const countFor = vi.fn(() => 2 * params.maxPerEpoch)
    const result = validateContribution(await encoded(), context({ countFor }))
    expectRefusal(result, 'reject', 'TOO_MANY_IN_EPOCH')
    expect(countFor).toHaveBeenCalledWith(originHex, epoch)
    if (result.verdict !== 'accept') expect(result.message).toMatch(/2 × maxPerEpoch = 128/)
    // maxPerEpoch stored is not a limit: the fold credits that many, validation takes twice
    const credited = context({ countFor: () => params.maxPerEpoch })
    expect(validateContribution(await encoded(), credited).verdict).toBe('accept')
  })
})

describe('validateContribution: order of checks', () => {
  it('the quota is checked before the signature: one over it costs no verify', async () => {
    const c = await signed()
    const bytes = encodeContribution({ ...c, signature: new Uint8Array(64) })
    // a full quota refuses even a forged copy (reject, as a genuine one over the quota)
    const full = vi.fn(() => 2 * params.maxPerEpoch)
    expectRefusal(
      validateContribution(bytes, context({ countFor: full })),
      'reject',
      'TOO_MANY_IN_EPOCH',
    )
    const room = vi.fn(() => 2 * params.maxPerEpoch - 1)
    expectRefusal(
      validateContribution(bytes, context({ countFor: room })),
      'reject',
      'BAD_SIGNATURE',
    )
  })

  it('STRANGER: a stranger is ignored before the signature (a forged copy is not rejected)', async () => {
    const c = await signed()
    const forged = encodeContribution({ ...c, signature: new Uint8Array(64) })
    const admits = vi.fn(() => false)
    expectRefusal(validateContribution(forged, context({ admits })), 'ignore', 'STRANGER')
    expect(admits).toHaveBeenCalledWith(originHex)
    expect(
      validateContribution(encodeContribution(c), context({ admits: () => true })).verdict,
    ).toBe('accept')
  })

  it('a duplicate is ignored before any signature or quota work', async () => {
    const c = await signed()
    const countFor = vi.fn(() => params.maxPerEpoch)
    const bytes = encodeContribution({ ...c, signature: new Uint8Array(64) })
    const ctx = context({ seen: () => true, countFor })
    expectRefusal(validateContribution(bytes, ctx), 'ignore', 'DUPLICATE')
    expect(countFor).not.toHaveBeenCalled()
  })

  it('epoch state is not consulted for a malformed message', async () => {
    const isClosed = vi.fn(() => true)
    const seen = vi.fn(() => true)
    const bytes = await encoded({ network: 'othernet' })
    expectRefusal(
      validateContribution(bytes, context({ isClosed, seen })),
      'reject',
      'WRONG_NETWORK',
    )
    expect(isClosed).not.toHaveBeenCalled()
    expect(seen).not.toHaveBeenCalled()
  })
})

// Last in the file (tests of a file run in order): one crafted message per reason code.
describe('reason codes', () => {
  it('every contribution reason code was produced by a test above', () => {
    expect([...covered].sort()).toEqual(Object.keys(CONTRIBUTION_VERDICTS).sort())
  })
})
