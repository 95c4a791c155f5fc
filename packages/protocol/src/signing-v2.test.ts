import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { commitSet } from './beacon/commits.js'
import { commitSigningBytes, revealSigningBytes } from './beacon/messages.js'
import { revealOpens } from './beacon/reveals.js'
import { BadElementError, InvalidInputError } from './errors.js'
import { BadOriginError, BadSignatureError, sha256, toHex } from './signing.js'
import {
  commitId,
  revealId,
  signCommit,
  signReveal,
  verifyCommit,
  verifyReveal,
} from './signing-v2.js'
import {
  key,
  member,
  originHex,
  params,
  signedCommit,
  signedReveal,
  unsignedCommit,
  unsignedReveal,
} from './v2.fixtures.js'

describe('signing of version 2: commits', () => {
  it('signs and verifies a commit; its id is SHA-256 of its signing bytes', async () => {
    const c = await signedCommit()
    expect(c.signature.length).toBe(64)
    const v = verifyCommit(c)
    expect(v.id).toEqual(sha256(commitSigningBytes(unsignedCommit())))
    expect(v.id).toEqual(commitId(unsignedCommit()))
    expect(v.idHex).toBe(toHex(v.id))
    expect(v.originHex).toBe(originHex)
    expect(v.c).toBe(member.c)
    expect(v.commit).toBe(c)
    // a verified commit is what commitSet takes
    const set = commitSet(params.network, 1024, c.epoch, [v])
    expect(set.members.map((m) => m.c)).toEqual([member.c])
  })

  it('refuses to sign for another key, or a c that is not an element', async () => {
    const other = await generateKeyPair('Ed25519')
    await expect(signCommit(other, unsignedCommit())).rejects.toThrow(InvalidInputError)
    await expect(signCommit(key, unsignedCommit({ c: new Uint8Array(255) }))).rejects.toThrow(
      BadElementError,
    )
    await expect(signCommit(key, unsignedCommit({ c: new Uint8Array(256) }))).rejects.toThrow(
      BadElementError,
    )
  })

  it('verify throws the typed errors: forged fields, a bad element, a bad origin', async () => {
    const c = await signedCommit()
    expect(() => verifyCommit({ ...c, timestampMs: c.timestampMs + 1 })).toThrow(BadSignatureError)
    expect(() => verifyCommit({ ...c, c: new Uint8Array(256).fill(0xff) })).toThrow(BadElementError)
    expect(() => verifyCommit({ ...c, origin: new Uint8Array([0, 3, 1, 2, 3]) })).toThrow(
      BadOriginError,
    )
  })
})

describe('signing of version 2: reveals', () => {
  it('signs and verifies a reveal; its id is SHA-256 of its signing bytes', async () => {
    const r = await signedReveal()
    const v = verifyReveal(r)
    expect(v.id).toEqual(sha256(revealSigningBytes(unsignedReveal())))
    expect(v.id).toEqual(revealId(unsignedReveal()))
    expect(v.originHex).toBe(originHex)
    expect(v.reveal).toBe(r)
    const set = commitSet(params.network, 1024, r.epoch, [{ origin: r.origin, c: member.c }])
    expect(revealOpens(set.members[0] as (typeof set.members)[0], r.alpha)).toBe(true)
  })

  it('refuses to sign an α that is not 272 bytes, or for another key', async () => {
    await expect(signReveal(key, unsignedReveal({ alpha: new Uint8Array(271) }))).rejects.toThrow(
      /alpha is 271 bytes/,
    )
    const other = await generateKeyPair('Ed25519')
    await expect(signReveal(other, unsignedReveal())).rejects.toThrow(InvalidInputError)
  })

  it('verify throws BadSignatureError for a changed α, BadOriginError for a bad origin', async () => {
    const r = await signedReveal()
    const alpha = new Uint8Array(r.alpha)
    alpha[0] = (alpha[0] as number) ^ 1
    expect(() => verifyReveal({ ...r, alpha })).toThrow(BadSignatureError)
    expect(() => verifyReveal({ ...r, epoch: r.epoch + 1 })).toThrow(BadSignatureError)
    expect(() => verifyReveal({ ...r, origin: new Uint8Array([0, 3, 1, 2, 3]) })).toThrow(
      BadOriginError,
    )
  })
})
