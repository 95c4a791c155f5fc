/**
 * HOME's peer id from identity.key without loading libp2p (the CLI checks it before every
 * call to the daemon, and @libp2p/crypto + @libp2p/peer-id cost more to load than the
 * rest of a command). An ALARA identity is an Ed25519 key in libp2p's protobuf encoding:
 * 08 01 12 40, then the 32-byte seed and the 32-byte public key. Its peer id is the
 * identity multihash (00 24) of the public key's protobuf encoding (08 01 12 20 ‖ key),
 * in base58btc. Anything else gives undefined (the caller then uses libp2p).
 */
export function ed25519PeerIdOf(identityKey: Uint8Array): string | undefined {
  const header = [0x08, 0x01, 0x12, 0x40]
  if (identityKey.length !== 68 || header.some((b, i) => identityKey[i] !== b)) return undefined
  const publicKey = identityKey.subarray(36, 68)
  return base58btc(Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...publicKey))
}

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

/** Bitcoin's base58 (what multibase calls base58btc, without the `z` prefix). */
export function base58btc(bytes: Uint8Array): string {
  const digits: number[] = [] // little-endian base-58 digits
  for (const byte of bytes) {
    let carry = byte
    for (let i = 0; i < digits.length; i++) {
      carry += (digits[i] as number) * 256
      digits[i] = carry % 58
      carry = Math.floor(carry / 58)
    }
    for (; carry > 0; carry = Math.floor(carry / 58)) digits.push(carry % 58)
  }
  let zeros = 0
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++
  return (
    '1'.repeat(zeros) +
    digits
      .reverse()
      .map((d) => ALPHABET[d])
      .join('')
  )
}
