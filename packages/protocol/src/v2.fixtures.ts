import { testMember, testOrigin } from './beacon/beacon.fixtures.js'
import { enc } from './beacon/group.js'
import { signCommit, signReveal } from './signing-v2.js'
import type { Commit, RecoveryMessage, Reveal, UnsignedCommit, UnsignedReveal } from './types.js'
import { epoch, key, nowMs, origin, params } from './validate.fixtures.js'
import { encodeCommit, encodeRecovery, encodeReveal } from './wire/codec-v2.js'

/** Messages of version 2 for the signing and validation tests: the key and clock of validate.fixtures. */

export { epoch, key, nowMs, origin, originHex, params } from './validate.fixtures.js'

/** A member's α and c = |g^α| (the key's own commit: its α is a test label's) */
export const member = testMember('validate-v2')
export const cBytes = enc(member.c)

export function unsignedCommit(patch: Partial<UnsignedCommit> = {}): UnsignedCommit {
  const timestampMs = patch.timestampMs ?? nowMs - 300
  return {
    network: params.network,
    origin,
    epoch: Math.floor(timestampMs / params.epochMs),
    c: cBytes,
    timestampMs,
    ...patch,
  }
}

export function unsignedReveal(patch: Partial<UnsignedReveal> = {}): UnsignedReveal {
  return { network: params.network, origin, epoch: epoch - 1, alpha: member.alpha, ...patch }
}

export const signedCommit = (patch: Partial<UnsignedCommit> = {}): Promise<Commit> =>
  signCommit(key, unsignedCommit(patch))
export const signedReveal = (patch: Partial<UnsignedReveal> = {}): Promise<Reveal> =>
  signReveal(key, unsignedReveal(patch))
export const commitBytes = async (patch: Partial<UnsignedCommit> = {}) =>
  encodeCommit(await signedCommit(patch))
export const revealBytes = async (patch: Partial<UnsignedReveal> = {}) =>
  encodeReveal(await signedReveal(patch))

/** A well-formed recovery (its proof is not checked here: that takes the commit set). */
export function recovery(patch: Partial<RecoveryMessage> = {}): RecoveryMessage {
  return {
    network: params.network,
    epoch: epoch - 1,
    commitsDigest: new Uint8Array(32).fill(0xd7),
    withheld: [testOrigin('a'), testOrigin('b')].sort(Buffer.compare),
    y: enc(testMember('y').c),
    proof: enc(testMember('proof').c),
    ...patch,
  }
}

export const recoveryBytes = (patch: Partial<RecoveryMessage> = {}) =>
  encodeRecovery(recovery(patch))
