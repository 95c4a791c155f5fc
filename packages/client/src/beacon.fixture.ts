import {
  type Contribution,
  contributionId,
  encodeContribution,
  epochBeacon,
  epochDigest,
  signContribution,
  toHex,
} from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { BeaconAnswer } from './verify.js'

/**
 * A genuine final epoch built with @alara/protocol (the daemon's own code): what a
 * public API would answer, for the client to verify with its own WebCrypto path.
 */
export interface Fixture {
  network: string
  epoch: number
  answer: BeaconAnswer
  contributions: Contribution[]
}

export async function makeEpoch(network = 'lab', epoch = 42, n = 3): Promise<Fixture> {
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
  const beacon = epochBeacon(
    network,
    epoch,
    digest,
    signed.map((s) => s.c.bits),
  )
  return {
    network,
    epoch,
    contributions: signed.map((s) => s.c),
    answer: {
      epoch,
      beacon: toHex(beacon),
      digest: toHex(digest),
      count: n,
      contributions: signed.map((s) => toHex(encodeContribution(s.c))),
    },
  }
}

export function info(network: string, epochMs = 1000): Record<string, unknown> {
  return {
    network,
    epochMs,
    graceMs: 200,
    finalMs: 3 * epochMs,
    peerId: '12D3Koo',
    version: '0.1.0',
  }
}
