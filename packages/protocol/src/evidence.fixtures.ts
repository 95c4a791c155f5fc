import { createHash } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { epochDigest } from './epoch.js'
import { originOf, signVote } from './signing.js'
import type { UnsignedVote, Vote } from './types.js'
import { epoch, key, nowMs, params } from './validate.fixtures.js'
import { encodeBareVote, encodeVote } from './wire/codec.js'

/** Signed votes over known ids, and re-votes carrying them as evidence (validate-evidence tests). */

export const voteEpoch = epoch - 1
export const voucherKeys: PrivateKey[] = await Promise.all(
  Array.from({ length: 9 }, () => generateKeyPair('Ed25519')),
)

/** n distinct 32-byte ids, stable for a seed. */
export function idsOf(seed: string, n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) =>
    Uint8Array.from(createHash('sha256').update(`${seed} ${i}`).digest()),
  )
}

/** The unsigned vote of `signer` over `ids` (digest and count from them). */
export function voteOver(
  signer: PrivateKey,
  ids: readonly Uint8Array[],
  patch: Partial<UnsignedVote> = {},
): UnsignedVote {
  const network = patch.network ?? params.network
  const e = patch.epoch ?? voteEpoch
  return {
    network,
    origin: originOf(peerIdFromPrivateKey(signer)),
    epoch: e,
    digest: epochDigest(network, e, ids),
    count: ids.length,
    beacon: ids.length === 0 ? new Uint8Array(0) : new Uint8Array(32).fill(2),
    timestampMs: nowMs - 100,
    ...patch,
  }
}

export async function signedOver(
  signer: PrivateKey,
  ids: readonly Uint8Array[],
  patch: Partial<UnsignedVote> = {},
): Promise<Vote> {
  return signVote(signer, voteOver(signer, ids, patch))
}

export interface VoucherSpec {
  /** the voucher's encoded vote (default: bare encoding of `vote`) */
  encoded?: Uint8Array
  vote?: Vote
  ids: Uint8Array[]
}

/** The node's re-vote over `own`, carrying `vouchers` as evidence, encoded. */
export async function reVote(own: Uint8Array[], vouchers: VoucherSpec[]): Promise<Uint8Array> {
  const signed = await signedOver(key, own)
  return encodeVote({
    ...signed,
    evidence: [
      { ids: own },
      ...vouchers.map((v) => ({
        vote: v.encoded ?? encodeBareVote(v.vote as Vote),
        ids: v.ids,
      })),
    ],
  })
}
