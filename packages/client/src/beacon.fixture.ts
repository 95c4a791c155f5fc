import {
  type Contribution,
  contributionId,
  decodeCommit,
  encodeContribution,
  encodeElement,
  epochBeacon,
  epochDigest,
  fromHex,
  GID,
  peerIdFromOrigin,
  signContribution,
  toHex,
} from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import {
  type SignedEpoch,
  type SignedEpochOptions,
  signedEpoch,
  timelockFor,
} from '../../protocol/src/beacon/signed-epoch.fixtures.js'
import type { BeaconAnswer } from './verify.js'

/**
 * A genuine final epoch built with @alara/protocol (the daemon's own code): what a
 * public API would answer (pool contributions, and version 2's commits, reveals and
 * recovery), for the client to verify with its own path.
 */
export interface Fixture {
  network: string
  epoch: number
  answer: BeaconAnswer
  contributions: Contribution[]
  shared: SignedEpoch
}

/** T of the fixtures' networks: small, so that a recovery takes milliseconds. */
export const FIXTURE_T = 2 ** 10

export async function makeEpoch(
  network = 'lab',
  epoch = 42,
  n = 3,
  v2: SignedEpochOptions = {},
): Promise<Fixture> {
  const signed: Array<{ id: Uint8Array; c: Contribution }> = []
  for (let i = 0; i < n; i++) {
    const key = await generateKeyPair('Ed25519')
    const bits = Uint8Array.from({ length: 16 }, (_, j) => (i * 31 + j * 7) & 0xff)
    const c = await signContribution(key, {
      network,
      origin: key.publicKey.toMultihash().bytes,
      seq: i + 1,
      epoch,
      timestampMs: epoch * 1000 + i,
      bitLength: 128,
      bits,
    })
    signed.push({ id: contributionId(c), c })
  }
  signed.sort((a, b) => (toHex(a.id) < toHex(b.id) ? -1 : 1))
  const digest = epochDigest(
    network,
    epoch,
    signed.map((s) => s.id),
  )
  const shared = await signedEpoch({ network, epoch, T: FIXTURE_T, ...v2 })
  const peerIdOf = (hex: string) => peerIdFromOrigin(fromHex(hex)).toString()
  const answer: BeaconAnswer = {
    epoch,
    status: shared.status,
    commitsDigest: toHex(shared.set.digest),
    commits: shared.commits.map(toHex),
    reveals: shared.reveals.map(toHex),
    withheld: shared.withheld.map(peerIdOf),
    equivocating:
      shared.equivocation === undefined
        ? []
        : [
            {
              peerId: peerIdOf(toHex(decodeCommit(shared.equivocation[0] as Uint8Array).origin)),
              commits: shared.equivocation.map(toHex),
            },
          ],
    digest: toHex(digest),
    count: n,
    contributions: signed.map((s) => toHex(encodeContribution(s.c))),
  }
  if (shared.beacon !== undefined) answer.beacon = shared.beacon
  if (shared.recovery !== undefined && shared.status === 'recovered')
    answer.recovery = toHex(shared.recovery)
  if (n > 0)
    answer.poolBeacon = toHex(
      epochBeacon(
        network,
        epoch,
        digest,
        signed.map((s) => s.c.bits),
      ),
    )
  return { network, epoch, contributions: signed.map((s) => s.c), answer, shared }
}

export async function info(network: string, epochMs = 1000): Promise<Record<string, unknown>> {
  const timelock = await timelockFor(FIXTURE_T)
  return {
    network,
    epochMs,
    graceMs: 200,
    finalMs: 3 * epochMs,
    peerId: '12D3Koo',
    version: '0.1.0',
    timelockSquarings: FIXTURE_T,
    h: toHex(encodeElement(timelock.h)),
    hProof: toHex(encodeElement(timelock.proof)),
    gid: toHex(GID),
  }
}
