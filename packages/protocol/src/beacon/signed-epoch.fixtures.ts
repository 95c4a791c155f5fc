import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { toHex } from '../platform.js'
import { commitId, signCommit, signReveal } from '../signing-v2.js'
import { encodeCommit, encodeRecovery, encodeReveal } from '../wire/codec-v2.js'
import { testAlpha } from './beacon.fixtures.js'
import { type CommitSet, commitSet, commitValue } from './commits.js'
import { computeTimelockGenerator, type TimelockGenerator } from './generator.js'
import { enc } from './group.js'
import { beaconOutcome, recoverWithheld } from './output.js'
import { checkReveals } from './reveals.js'

/**
 * A genuine epoch of version 2 signed with real Ed25519 keys, as the daemon stores it and
 * the public API serves it: for the tests of the public API (daemon), the client and the
 * CLI. A small T keeps the recovery to milliseconds.
 */

export interface SignedEpochOptions {
  network?: string
  epoch?: number
  /** time-lock squarings (default 2^10) */
  T?: number
  /** members committing (default 3) */
  members?: number
  /** how many of them (the first in origin order) withhold their reveal and are recovered */
  withhold?: number
  /** leave the recovery out (the epoch stays pending) */
  noRecovery?: boolean
  /** one more origin that signs two commits (left out of C_r) */
  equivocator?: boolean
}

export interface SignedEpoch {
  network: string
  epoch: number
  timelock: TimelockGenerator
  set: CommitSet
  /** encoded signed commits of C_r, in origin order */
  commits: Uint8Array[]
  /** commit ids of C_r (what the store keeps as the frozen set) */
  commitIds: Uint8Array[]
  /** encoded signed reveals, in origin order */
  reveals: Uint8Array[]
  /** the encoded Recovery, when some member withheld */
  recovery?: Uint8Array
  /** the equivocator's two encoded commits */
  equivocation?: Uint8Array[]
  status: 'revealed' | 'recovered' | 'pending'
  /** Ω_r hex, when known */
  beacon?: string
  /** origin hex of the withheld members */
  withheld: string[]
}

const generators = new Map<number, Promise<TimelockGenerator>>()

export function timelockFor(T: number): Promise<TimelockGenerator> {
  let g = generators.get(T)
  if (g === undefined) {
    g = computeTimelockGenerator(T)
    generators.set(T, g)
  }
  return g
}

export async function signedEpoch(options: SignedEpochOptions = {}): Promise<SignedEpoch> {
  const network = options.network ?? 'lab'
  const epoch = options.epoch ?? 42
  const T = options.T ?? 2 ** 10
  const timelock = await timelockFor(T)
  const keys: PrivateKey[] = []
  for (let i = 0; i < (options.members ?? 3); i++) keys.push(await generateKeyPair('Ed25519'))
  const signed = await Promise.all(
    keys.map(async (key, i) => {
      const origin = key.publicKey.toMultihash().bytes
      const alpha = testAlpha(`${network}/${epoch}/${i}/${toHex(origin)}`)
      const c = commitValue(alpha)
      const commit = await signCommit(key, {
        network,
        origin,
        epoch,
        c: enc(c),
        timestampMs: epoch * 1000 + 900 + i,
      })
      const reveal = await signReveal(key, { network, origin, epoch, alpha })
      return { origin, c, commit, reveal }
    }),
  )
  const set = commitSet(
    network,
    T,
    epoch,
    signed.map(({ origin, c }) => ({ origin, c })),
  )
  const byHex = new Map(signed.map((s) => [toHex(s.origin), s]))
  const ordered = set.members.map((m) => byHex.get(m.originHex) as (typeof signed)[number])
  const withheldCount = options.withhold ?? 0
  const revealing = ordered.slice(withheldCount)
  const withheld = ordered.slice(0, withheldCount).map((s) => toHex(s.origin))
  const check = checkReveals(
    set,
    revealing.map((s) => ({ origin: s.origin, alpha: s.reveal.alpha })),
  )
  let recovery: Awaited<ReturnType<typeof recoverWithheld>> | undefined
  if (withheldCount > 0 && options.noRecovery !== true)
    recovery = await recoverWithheld(set, withheld)
  const outcome = beaconOutcome(set, timelock.h, check, recovery)
  const out: SignedEpoch = {
    network,
    epoch,
    timelock,
    set,
    commits: ordered.map((s) => encodeCommit(s.commit)),
    commitIds: ordered.map((s) => commitId(s.commit)),
    reveals: revealing.map((s) => encodeReveal(s.reveal)),
    status: outcome.status,
    withheld,
  }
  if (outcome.status !== 'pending') out.beacon = toHex(outcome.beacon)
  if (recovery !== undefined)
    out.recovery = encodeRecovery({
      network,
      epoch,
      commitsDigest: recovery.commitsDigest,
      withheld: recovery.withheld,
      y: enc(recovery.y),
      proof: enc(recovery.proof),
    })
  if (options.equivocator === true) {
    const key = await generateKeyPair('Ed25519')
    const origin = key.publicKey.toMultihash().bytes
    out.equivocation = await Promise.all(
      ['a', 'b'].map(async (label) =>
        encodeCommit(
          await signCommit(key, {
            network,
            origin,
            epoch,
            c: enc(commitValue(testAlpha(`equivocator ${label}`))),
            timestampMs: epoch * 1000 + 950,
          }),
        ),
      ),
    )
  }
  return out
}
