import { readFileSync } from 'node:fs'
import { generateKeyPairFromSeed, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { resolveParams } from './config.js'
import {
  contributionId,
  contributionSigningBytes,
  gossipMessageId,
  originOf,
  peerIdFromOrigin,
  signContribution,
  signVote,
  toHex,
  verifyContribution,
  verifyVote,
  voteSigningBytes,
} from './signing.js'
import type { UnsignedContribution, UnsignedVote } from './types.js'
import { validateContribution, validateVote } from './validate.js'
import { decodeContribution, decodeVote, encodeContribution, encodeVote } from './wire/codec.js'

/** Reference vectors of the wire format (docs/PROTOCOL.md), computed by an independent implementation. */
interface Vectors {
  key: {
    seed: string
    publicKey: string
    publicKeyProtobuf: string
    peerId: string
    origin: string
  }
  network: string
  epochMs: number
  contributions: Array<{
    seq: number
    timestamp: number
    bits: string
    bitLength: number
    epoch: number
    signingBytes: string
    id: string
    signature: string
    encoded: string
    messageId: string
  }>
  vote: {
    epoch: number
    digest: string
    count: number
    beacon: string
    timestamp: number
    signingBytes: string
    signature: string
    encoded: string
    messageId: string
  }
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../test/vectors/v1.json', import.meta.url), 'utf8'),
) as Vectors

const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'))
const key = await generateKeyPairFromSeed('Ed25519', fromHex(vectors.key.seed))
const origin = fromHex(vectors.key.origin)

describe('reference vectors v1', () => {
  it('derives the key, peer id and origin', () => {
    expect(toHex(key.publicKey.raw)).toBe(vectors.key.publicKey)
    expect(toHex(publicKeyToProtobuf(key.publicKey))).toBe(vectors.key.publicKeyProtobuf)
    const peerId = peerIdFromPrivateKey(key)
    expect(peerId.toString()).toBe(vectors.key.peerId)
    expect(toHex(originOf(peerId))).toBe(vectors.key.origin)
    expect(peerIdFromOrigin(origin).toString()).toBe(vectors.key.peerId)
  })

  describe.each(vectors.contributions)('contribution seq $seq', (v) => {
    const unsigned: UnsignedContribution = {
      network: vectors.network,
      origin,
      seq: v.seq,
      epoch: v.epoch,
      timestampMs: v.timestamp,
      bitLength: v.bitLength,
      bits: fromHex(v.bits),
    }

    it('has the epoch of its timestamp', () => {
      expect(Math.floor(v.timestamp / vectors.epochMs)).toBe(v.epoch)
    })

    it('reproduces signing bytes, id, signature and encoding', async () => {
      expect(toHex(contributionSigningBytes(unsigned))).toBe(v.signingBytes)
      expect(toHex(contributionId(unsigned))).toBe(v.id)
      const signed = await signContribution(key, unsigned)
      expect(toHex(signed.signature)).toBe(v.signature)
      expect(toHex(encodeContribution(signed))).toBe(v.encoded)
      expect(toHex(gossipMessageId(fromHex(v.encoded)))).toBe(v.messageId)
    })

    it('decodes and verifies the reference encoding', () => {
      const decoded = decodeContribution(fromHex(v.encoded))
      expect(decoded).toEqual({ ...unsigned, signature: fromHex(v.signature) })
      const verified = verifyContribution(decoded)
      expect(verified.idHex).toBe(v.id)
      expect(verified.originHex).toBe(vectors.key.origin)
    })

    it('is accepted by validation', () => {
      const result = validateContribution(fromHex(v.encoded), {
        params: resolveParams({ network: vectors.network, epochMs: vectors.epochMs }),
        nowMs: v.timestamp,
        seen: () => false,
        countFor: () => 0,
        isClosed: () => false,
        isFinal: () => false,
      })
      expect(result.verdict).toBe('accept')
    })
  })

  describe('vote', () => {
    const v = vectors.vote
    const unsigned: UnsignedVote = {
      network: vectors.network,
      origin,
      epoch: v.epoch,
      digest: fromHex(v.digest),
      count: v.count,
      beacon: fromHex(v.beacon),
      timestampMs: v.timestamp,
    }

    it('reproduces signing bytes, signature, encoding and message id', async () => {
      expect(toHex(voteSigningBytes(unsigned))).toBe(v.signingBytes)
      const signed = await signVote(key, unsigned)
      expect(toHex(signed.signature)).toBe(v.signature)
      expect(toHex(encodeVote(signed))).toBe(v.encoded)
      expect(toHex(gossipMessageId(fromHex(v.encoded)))).toBe(v.messageId)
    })

    it('decodes and verifies the reference encoding', () => {
      const decoded = decodeVote(fromHex(v.encoded))
      expect(decoded).toEqual({ ...unsigned, signature: fromHex(v.signature) })
      expect(verifyVote(decoded).originHex).toBe(vectors.key.origin)
    })

    it('is accepted by validation', () => {
      const params = resolveParams({ network: vectors.network, epochMs: vectors.epochMs })
      const nowMs = (v.epoch + 1) * vectors.epochMs + 1
      expect(validateVote(fromHex(v.encoded), { params, nowMs }).verdict).toBe('accept')
    })
  })
})
