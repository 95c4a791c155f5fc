import { generateKeyPairSync } from 'node:crypto'

/**
 * Valid Ed25519 peer ids of nobody, for the trust store: the identity multihash of the
 * protobuf public key (Type Ed25519 = 1, Data = 32 bytes), base58btc ("12D3KooW…").
 */

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

export function base58btc(bytes: Uint8Array): string {
  let zeros = 0
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++
  let n = 0n
  for (const b of bytes) n = n * 256n + BigInt(b)
  let out = ''
  while (n > 0n) {
    out = (ALPHABET[Number(n % 58n)] as string) + out
    n /= 58n
  }
  return '1'.repeat(zeros) + out
}

export function randomPeerId(): string {
  const { publicKey } = generateKeyPairSync('ed25519')
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url')
  const protobuf = Buffer.concat([Buffer.from([0x08, 0x01, 0x12, 0x20]), raw])
  const multihash = Buffer.concat([Buffer.from([0x00, protobuf.length]), protobuf])
  return base58btc(multihash)
}
