import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { describe, expect, it } from 'vitest'
import { base58btc, ed25519PeerIdOf } from './identity-peer-id.js'

describe('ed25519PeerIdOf', () => {
  it('gives the peer id libp2p gives for the same identity.key', async () => {
    for (let i = 0; i < 20; i++) {
      const key = await generateKeyPair('Ed25519')
      expect(ed25519PeerIdOf(privateKeyToProtobuf(key))).toBe(peerIdFromPrivateKey(key).toString())
    }
  })

  it('answers undefined for anything that is not an Ed25519 identity', async () => {
    const key = privateKeyToProtobuf(await generateKeyPair('Ed25519'))
    expect(ed25519PeerIdOf(key.subarray(0, 67))).toBeUndefined()
    expect(ed25519PeerIdOf(Uint8Array.of(0x08, 0x02, ...key.subarray(2)))).toBeUndefined()
    expect(ed25519PeerIdOf(new Uint8Array(0))).toBeUndefined()
  })
})

describe('base58btc', () => {
  it('matches the multiformats encoder, leading zeros included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(base58btc(bytes)).toBe(uint8ArrayToString(bytes, 'base58btc'))
      }),
      { numRuns: 300 },
    )
  })
})
