import { createHash } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from './errors.js'
import {
  BadOriginError,
  BadSignatureError,
  contributionId,
  contributionSigningBytes,
  originKey,
  originOf,
  peerIdFromOrigin,
  signContribution,
  signVote,
  toHex,
  verifyContribution,
  verifySignature,
  verifyVote,
  voteId,
  voteSigningBytes,
} from './signing.js'
import type { Contribution, UnsignedContribution, UnsignedVote } from './types.js'

const key = await generateKeyPair('Ed25519')
const origin = originOf(peerIdFromPrivateKey(key))

const unsigned: UnsignedContribution = {
  network: 'default',
  origin,
  seq: 7,
  epoch: 352_840_320,
  timestampMs: 1_764_201_600_123,
  bitLength: 12,
  bits: new Uint8Array([0xab, 0xc0]),
}

const unsignedVote: UnsignedVote = {
  network: 'default',
  origin,
  epoch: 352_840_320,
  digest: new Uint8Array(32).fill(1),
  count: 3,
  beacon: new Uint8Array(32).fill(2),
  timestampMs: 1_764_201_611_000,
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

describe('signing bytes', () => {
  it('counts the network name in UTF-8 bytes, not characters', () => {
    const bytes = contributionSigningBytes({ ...unsigned, network: 'réseau' })
    const prefix = 'alara/v1/contribution'.length + 1
    expect((bytes[prefix] as number) * 256 + (bytes[prefix + 1] as number)).toBe(7)
    expect(Buffer.from(bytes.subarray(prefix + 2, prefix + 9)).toString('utf8')).toBe('réseau')
  })

  it('writes u64 fields big-endian across the full 2^53 range', () => {
    const bytes = contributionSigningBytes({ ...unsigned, seq: Number.MAX_SAFE_INTEGER })
    const at = 'alara/v1/contribution'.length + 1 + 2 + 'default'.length + 4 + origin.length
    expect(toHex(bytes.subarray(at, at + 8))).toBe('001fffffffffffff')
  })

  it('refuses fields the layout cannot carry', () => {
    const bad: Array<[Partial<UnsignedContribution>, RegExp]> = [
      [{ network: 'x'.repeat(65_536) }, /above 65535/],
      [{ seq: -1 }, /seq must be/],
      [{ epoch: 0.5 }, /epoch must be/],
      [{ timestampMs: 2 ** 53 }, /timestampMs must be/],
      [{ bitLength: 2 ** 32 }, /bitLength must be/],
    ]
    for (const [patch, message] of bad) {
      expect(() => contributionSigningBytes({ ...unsigned, ...patch })).toThrow(InvalidInputError)
      expect(() => contributionSigningBytes({ ...unsigned, ...patch })).toThrow(message)
    }
    expect(() => voteSigningBytes({ ...unsignedVote, count: -1 })).toThrow(/count must be/)
  })

  it('ids are SHA-256 of the signing bytes and change with every field', () => {
    expect(toHex(contributionId(unsigned))).toBe(sha256(contributionSigningBytes(unsigned)))
    expect(toHex(voteId(unsignedVote))).toBe(sha256(voteSigningBytes(unsignedVote)))
    const variants: UnsignedContribution[] = [
      { ...unsigned, network: 'other' },
      { ...unsigned, seq: 8 },
      { ...unsigned, epoch: unsigned.epoch + 1 },
      { ...unsigned, timestampMs: unsigned.timestampMs + 1 },
      { ...unsigned, bitLength: 11 },
      { ...unsigned, bits: new Uint8Array([0xab, 0xd0]) },
    ]
    const ids = new Set([unsigned, ...variants].map((u) => toHex(contributionId(u))))
    expect(ids.size).toBe(variants.length + 1)
  })

  it('separates contributions from votes by domain prefix', () => {
    expect(Buffer.from(contributionSigningBytes(unsigned)).toString('latin1')).toMatch(
      /^alara\/v1\/contribution\0/,
    )
    expect(Buffer.from(voteSigningBytes(unsignedVote)).toString('latin1')).toMatch(
      /^alara\/v1\/vote\0/,
    )
  })
})

describe('sign and verify', () => {
  it('signs a contribution that verifies, here and with libp2p', async () => {
    const c = await signContribution(key, unsigned)
    const verified = verifyContribution(c)
    expect(verified.contribution).toBe(c)
    expect(verified.idHex).toBe(toHex(contributionId(unsigned)))
    expect(verified.id).toEqual(contributionId(unsigned))
    expect(verified.originHex).toBe(toHex(origin))
    expect(await key.publicKey.verify(contributionSigningBytes(c), c.signature)).toBe(true)
  })

  it('signs a vote that verifies', async () => {
    const v = await signVote(key, unsignedVote)
    const verified = verifyVote(v)
    expect(verified.vote).toBe(v)
    expect(verified.idHex).toBe(toHex(voteId(unsignedVote)))
    expect(await key.publicKey.verify(voteSigningBytes(v), v.signature)).toBe(true)
  })

  it('rejects a contribution with any field changed after signing', async () => {
    const c = await signContribution(key, unsigned)
    const tampered: Contribution[] = [
      { ...c, network: 'other' },
      { ...c, seq: c.seq + 1 },
      { ...c, epoch: c.epoch + 1 },
      { ...c, timestampMs: c.timestampMs + 1 },
      { ...c, bitLength: 11 },
      { ...c, bits: new Uint8Array([0xab, 0xd0]) },
      { ...c, signature: c.signature.map((b, i) => (i === 10 ? b ^ 1 : b)) },
    ]
    for (const t of tampered) expect(() => verifyContribution(t)).toThrow(BadSignatureError)
  })

  it('rejects a vote signed over other content', async () => {
    const v = await signVote(key, unsignedVote)
    expect(() => verifyVote({ ...v, count: 4 })).toThrow(BadSignatureError)
    expect(() => verifyVote({ ...v, digest: new Uint8Array(32) })).toThrow(BadSignatureError)
  })

  it('treats a signature of the wrong length as bad, not as a crash', async () => {
    const c = await signContribution(key, unsigned)
    for (const signature of [new Uint8Array(0), c.signature.subarray(0, 63), new Uint8Array(65)]) {
      expect(() => verifyContribution({ ...c, signature })).toThrow(BadSignatureError)
      expect(verifySignature(originKey(origin), contributionSigningBytes(c), signature)).toBe(false)
    }
  })

  it('rejects a signature by another key under this origin', async () => {
    const other = await generateKeyPair('Ed25519')
    const signature = await other.sign(contributionSigningBytes(unsigned))
    expect(() => verifyContribution({ ...unsigned, signature })).toThrow(BadSignatureError)
  })

  it('refuses to sign under an origin that is not the key’s own', async () => {
    const other = await generateKeyPair('Ed25519')
    await expect(signContribution(other, unsigned)).rejects.toThrow(InvalidInputError)
    await expect(signVote(other, unsignedVote)).rejects.toThrow(
      /not the peer id of the signing key/,
    )
  })

  it('refuses to sign with a non-Ed25519 key', async () => {
    const secp = await generateKeyPair('secp256k1')
    const secpOrigin = peerIdFromPrivateKey(secp).toMultihash().bytes
    await expect(signContribution(secp, { ...unsigned, origin: secpOrigin })).rejects.toThrow(
      /needs Ed25519/,
    )
  })

  it('keeps verifying correctly past the key cache bound', async () => {
    // 4096 cached keys: enough origins to force evictions, then the first ones again
    const keys: Ed25519PrivateKey[] = []
    for (let i = 0; i < 4200; i++) keys.push(await generateKeyPair('Ed25519'))
    const signed = await Promise.all(
      keys.map((k) =>
        signContribution(k, { ...unsigned, origin: originOf(peerIdFromPrivateKey(k)) }),
      ),
    )
    for (const c of signed) expect(verifyContribution(c).originHex).toBe(toHex(c.origin))
    for (const c of signed.slice(0, 50))
      expect(verifyContribution(c).originHex).toBe(toHex(c.origin))
    const swapped = { ...(signed[0] as Contribution), origin: (signed[1] as Contribution).origin }
    expect(() => verifyContribution(swapped)).toThrow(BadSignatureError)
    // 4200 key pairs and signatures: ~3 s idle, past 20 s beside stress-ng
  }, 120_000)
})

describe('origins', () => {
  it('round-trips an Ed25519 peer id', () => {
    const peerId = peerIdFromPrivateKey(key)
    expect(peerIdFromOrigin(origin).equals(peerId)).toBe(true)
    expect(peerIdFromOrigin(origin).publicKey.raw).toEqual(key.publicKey.raw)
  })

  it('rejects a non-Ed25519 peer id for originOf', async () => {
    const secp = peerIdFromPrivateKey(await generateKeyPair('secp256k1'))
    expect(() => originOf(secp)).toThrow(BadOriginError)
    // an RSA peer id is a sha2-256 multihash and carries no key
    const rsa = peerIdFromString('QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N')
    expect(() => originOf(rsa)).toThrow(/RSA/)
  })

  it('rejects origins that are not canonical Ed25519 peer ids', async () => {
    const secp = peerIdFromPrivateKey(await generateKeyPair('secp256k1')).toMultihash().bytes
    const rsa = peerIdFromString('QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N').toMultihash()
      .bytes
    // the same key with the protobuf fields swapped: Data (0x12) before Type (0x08)
    const swapped = new Uint8Array([0x00, 0x24, 0x12, 0x20, ...key.publicKey.raw, 0x08, 0x01])
    const bad: Array<[Uint8Array, RegExp]> = [
      [new Uint8Array(0), /not a libp2p peer id/],
      [new Uint8Array([0x00, 0x05, 1, 2, 3]), /not a libp2p peer id/],
      [origin.subarray(0, origin.length - 1), /not a libp2p peer id/],
      [new Uint8Array([...origin, 0]), /not a libp2p peer id/],
      [secp, /secp256k1/],
      [rsa, /RSA/],
      [swapped, /canonical/],
    ]
    for (const [bytes, message] of bad) {
      expect(() => peerIdFromOrigin(bytes)).toThrow(BadOriginError)
      expect(() => peerIdFromOrigin(bytes)).toThrow(message)
      expect(() => originKey(bytes)).toThrow(BadOriginError)
    }
  })

  it('reports a bad origin before looking at the signature', async () => {
    const c = await signContribution(key, unsigned)
    expect(() => verifyContribution({ ...c, origin: new Uint8Array([1, 2, 3]) })).toThrow(
      BadOriginError,
    )
  })
})
