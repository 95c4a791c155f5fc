import type { PrivateKey } from '@libp2p/interface'
import { ALPHA_BYTES, type EpochCommit } from './beacon/commits.js'
import { decodeElement } from './beacon/group.js'
import { commitSigningBytes, revealSigningBytes } from './beacon/messages.js'
import { InvalidInputError } from './errors.js'
import { checkSigner, sha256, verifySigned } from './signing.js'
import type { Commit, Reveal, UnsignedCommit, UnsignedReveal } from './types.js'

/**
 * Ids and Ed25519 signatures of version 2's Commit and Reveal (DESIGN.md, "The shared
 * beacon, version 2"), as signing.ts does them for contributions and votes: the same
 * libp2p key, signatures over fixed layouts (beacon/messages.ts), id = SHA-256 of the
 * signing bytes. Kept apart from signing.ts because the beacon's modules depend on it.
 * A Recovery is not signed: its proof speaks for it.
 */

/** A commit whose signature has been checked, with its id and its element decoded. */
export interface VerifiedCommit extends EpochCommit {
  /** SHA-256 of the commit signing bytes */
  id: Uint8Array
  idHex: string
  originHex: string
  /** c, decoded: what commitSet takes (a VerifiedCommit is an EpochCommit) */
  c: bigint
  commit: Commit
}

/** A reveal whose signature has been checked, with its id. */
export interface VerifiedReveal {
  /** SHA-256 of the reveal signing bytes */
  id: Uint8Array
  idHex: string
  originHex: string
  reveal: Reveal
}

/** Commit id = SHA-256(commit signing bytes). */
export function commitId(u: UnsignedCommit): Uint8Array {
  return sha256(commitSigningBytes(u))
}

/** Reveal id = SHA-256(reveal signing bytes). */
export function revealId(u: UnsignedReveal): Uint8Array {
  return sha256(revealSigningBytes(u))
}

/**
 * Signs a commit with the node's libp2p key; `u.origin` must be that key's peer id and
 * `u.c` an element's encoding (BadElementError otherwise: every peer would refuse it).
 */
export async function signCommit(privateKey: PrivateKey, u: UnsignedCommit): Promise<Commit> {
  checkSigner(privateKey, u.origin)
  decodeElement(u.c, 'c')
  const signature = await privateKey.sign(commitSigningBytes(u))
  return { ...u, signature: new Uint8Array(signature) }
}

/** Signs a reveal with the node's libp2p key; `u.alpha` must be 272 bytes. */
export async function signReveal(privateKey: PrivateKey, u: UnsignedReveal): Promise<Reveal> {
  checkSigner(privateKey, u.origin)
  if (u.alpha.length !== ALPHA_BYTES)
    throw new InvalidInputError(`alpha is ${u.alpha.length} bytes, not ${ALPHA_BYTES}`)
  const signature = await privateKey.sign(revealSigningBytes(u))
  return { ...u, signature: new Uint8Array(signature) }
}

/**
 * Checks a commit's origin, element and signature. Throws BadOriginError, BadElementError
 * or BadSignatureError.
 */
export function verifyCommit(c: Commit): VerifiedCommit {
  // the element first: a commit that is no group element is refused before a verify
  const element = decodeElement(c.c, 'c')
  const signed = verifySigned(c.origin, commitSigningBytes(c), c.signature)
  return { ...signed, origin: c.origin, c: element, commit: c }
}

/**
 * Checks a reveal's origin and signature. Throws BadOriginError or BadSignatureError.
 * Whether its α has 272 bytes and opens the origin's commit is revealOpens' question.
 */
export function verifyReveal(r: Reveal): VerifiedReveal {
  return { ...verifySigned(r.origin, revealSigningBytes(r), r.signature), reveal: r }
}
