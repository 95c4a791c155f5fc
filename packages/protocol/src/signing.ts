import { Buffer } from 'node:buffer'
import { createPublicKey, type KeyObject, verify } from 'node:crypto'
import type { Ed25519PeerId, PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { AlaraError, InvalidInputError } from './errors.js'
import { sha256, toHex } from './platform.js'
import { contributionSigningBytes, voteSigningBytes } from './signing-bytes.js'
import type {
  Contribution,
  UnsignedContribution,
  UnsignedVote,
  VerifiedContribution,
  Vote,
} from './types.js'

export { fromHex, sha256, toHex } from './platform.js'
export * from './signing-bytes.js'

/**
 * Ed25519 signatures (docs/PROTOCOL.md, "Wire format"), over the signing bytes of
 * signing-bytes.ts (re-exported here with the ids, and platform.ts's hash and hex).
 *
 * Signatures cover a fixed byte layout, never a protobuf re-encoding, so any
 * implementation can check them from the fields alone. Verification is the ceiling of the
 * whole pipeline, so it goes straight to node:crypto with one cached KeyObject per origin:
 * @libp2p/crypto's Ed25519 verify (5.1.x, Node build) also ends in crypto.verify, but it
 * imports the raw key from a JWK on every call.
 */

export const ED25519_SIGNATURE_LENGTH = 64

/** The origin is not the peer id of an Ed25519 key (or not a peer id at all). */
export class BadOriginError extends AlaraError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_BAD_ORIGIN', message, options)
    this.name = 'BadOriginError'
  }
}

/** The signature does not verify against the origin's key. */
export class BadSignatureError extends AlaraError {
  constructor(message = 'signature does not verify against the origin key') {
    super('ERR_BAD_SIGNATURE', message)
    this.name = 'BadSignatureError'
  }
}

/** A vote whose signature has been checked, with its content id. */
export interface VerifiedVote {
  /** SHA-256 of the vote signing bytes: the gossipsub message id of the vote */
  id: Uint8Array
  idHex: string
  originHex: string
  vote: Vote
}

/** The origin bytes of an Ed25519 peer id (its identity multihash). */
export function originOf(peerId: PeerId): Uint8Array {
  if (peerId.type !== 'Ed25519')
    throw new BadOriginError(`peer id ${peerId.toString()} is ${peerId.type}; ALARA needs Ed25519`)
  return new Uint8Array(peerId.toMultihash().bytes)
}

/**
 * Parses origin bytes with @libp2p/peer-id. Refuses non-Ed25519 peer ids and any encoding
 * other than the canonical one, so one key always has exactly one origin (per-origin
 * quotas and counters cannot be dodged by re-encoding the same key).
 */
export function peerIdFromOrigin(origin: Uint8Array): Ed25519PeerId {
  let peerId: PeerId
  try {
    // peer-id parses multihashes only from strings; base58btc is what Ed25519 ids use
    peerId = peerIdFromString(uint8ArrayToString(origin, 'base58btc'))
  } catch (err) {
    throw new BadOriginError(`origin is not a libp2p peer id: ${(err as Error).message}`, {
      cause: err,
    })
  }
  if (peerId.type !== 'Ed25519')
    throw new BadOriginError(`origin is a ${peerId.type} peer id; ALARA needs Ed25519`)
  // the peer id keeps the bytes it was parsed from; the key re-encodes them canonically
  if (!uint8ArrayEquals(peerId.publicKey.toMultihash().bytes, origin))
    throw new BadOriginError('origin is not the canonical encoding of its peer id')
  return peerId
}

/**
 * Public keys per origin hex, bounded (least recently used goes first). 4096 is four times
 * the default maxPeers; a miss costs one peer-id parse and one key import.
 */
const KEY_CACHE_MAX = 4096
const keyCache = new Map<string, KeyObject>()

/** The node:crypto public key of an origin, cached. Throws BadOriginError. */
export function originKey(origin: Uint8Array, originHex: string = toHex(origin)): KeyObject {
  const hit = keyCache.get(originHex)
  if (hit !== undefined) {
    keyCache.delete(originHex)
    keyCache.set(originHex, hit)
    return hit
  }
  const raw = peerIdFromOrigin(origin).publicKey.raw
  const key = createPublicKey({
    format: 'jwk',
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
  })
  keyCache.set(originHex, key)
  if (keyCache.size > KEY_CACHE_MAX) {
    const oldest = keyCache.keys().next().value
    if (oldest !== undefined) keyCache.delete(oldest)
  }
  return key
}

/** True when `signature` is the Ed25519 signature of `message` by `key`. */
export function verifySignature(
  key: KeyObject,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  // crypto.verify throws on some malformed lengths; a wrong length is just a bad signature
  if (signature.length !== ED25519_SIGNATURE_LENGTH) return false
  return verify(null, message, key, signature)
}

/**
 * One Ed25519 verification as plain data (structured-clonable, so it can cross to a worker
 * thread): the origin (an Ed25519 peer id's bytes), the signed bytes and the signature.
 */
export interface SignatureCheck {
  origin: Uint8Array
  message: Uint8Array
  signature: Uint8Array
}

/** True when the check's signature verifies against its origin's key; a bad origin is false. */
export function checkSignature(check: SignatureCheck): boolean {
  let key: KeyObject
  try {
    key = originKey(check.origin)
  } catch (err) {
    if (err instanceof BadOriginError) return false
    throw err
  }
  return verifySignature(key, check.message, check.signature)
}

/**
 * A signed message's origin and signature checked over its signing bytes; its id is the
 * SHA-256 of those bytes. Throws BadOriginError or BadSignatureError.
 */
export function verifySigned(
  origin: Uint8Array,
  signingBytes: Uint8Array,
  signature: Uint8Array,
): { id: Uint8Array; idHex: string; originHex: string } {
  const originHex = toHex(origin)
  const key = originKey(origin, originHex)
  if (!verifySignature(key, signingBytes, signature)) throw new BadSignatureError()
  const id = sha256(signingBytes)
  return { id, idHex: toHex(id), originHex }
}

/** Checks a contribution's origin and signature. Throws BadOriginError or BadSignatureError. */
export function verifyContribution(c: Contribution): VerifiedContribution {
  return { ...verifySigned(c.origin, contributionSigningBytes(c), c.signature), contribution: c }
}

/** Checks a vote's origin and signature. Throws BadOriginError or BadSignatureError. */
export function verifyVote(v: Vote): VerifiedVote {
  return { ...verifySigned(v.origin, voteSigningBytes(v), v.signature), vote: v }
}

/** Signs with the node's libp2p key; `u.origin` must be that key's peer id. */
export async function signContribution(
  privateKey: PrivateKey,
  u: UnsignedContribution,
): Promise<Contribution> {
  checkSigner(privateKey, u.origin)
  const signature = await privateKey.sign(contributionSigningBytes(u))
  return { ...u, signature: new Uint8Array(signature) }
}

/**
 * Signs a vote with the node's libp2p key; `u.origin` must be that key's peer id. A vote
 * with commits (commitCount > 0) needs its 32-byte commitsDigest, one without none:
 * else InvalidInputError.
 */
export async function signVote(privateKey: PrivateKey, u: UnsignedVote): Promise<Vote> {
  checkSigner(privateKey, u.origin)
  const signature = await privateKey.sign(voteSigningBytes(u))
  return { ...u, signature: new Uint8Array(signature) }
}

const signerOrigins = new WeakMap<PrivateKey, Uint8Array>()

/**
 * Refuses (InvalidInputError) a key that is not Ed25519 or whose peer id is not `origin`:
 * a message signed by one key under another's origin would be rejected by every peer.
 */
export function checkSigner(privateKey: PrivateKey, origin: Uint8Array): void {
  let own = signerOrigins.get(privateKey)
  if (own === undefined) {
    if (privateKey.type !== 'Ed25519')
      throw new InvalidInputError(`cannot sign with a ${privateKey.type} key; ALARA needs Ed25519`)
    own = peerIdFromPrivateKey(privateKey).toMultihash().bytes
    signerOrigins.set(privateKey, own)
  }
  if (!uint8ArrayEquals(own, origin))
    throw new InvalidInputError('origin is not the peer id of the signing key')
}
