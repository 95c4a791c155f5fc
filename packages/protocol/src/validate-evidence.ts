import { epochDigest } from './epoch.js'
import { DecodeError } from './errors.js'
import {
  BadOriginError,
  originKey,
  sha256,
  toHex,
  type VerifiedVote,
  verifySignature,
  voteSigningBytes,
} from './signing.js'
import type { Vote } from './types.js'
import { voteShapeProblem } from './vote-shape.js'
import { decodeVote } from './wire/codec.js'

/**
 * The evidence a re-vote carries (DESIGN.md, "Re-votes carry their evidence"), checked
 * with no further request: the voter's own ids hash to its digest with its count, and
 * every voucher is a genuine, canonical, signed vote of the same network and epoch
 * without evidence of its own whose ids hash to its digest with its count. The caller has
 * checked the vote itself (shape and signature) first, so a forged vote costs one verify.
 */

/** Vouchers one vote may carry: K + 1 = 4 for an item at the default K, twice that for more items. */
export const MAX_VOUCHERS = 8

export interface VerifiedVoucher {
  vote: VerifiedVote
  /** its encoded bytes (as carried: without evidence), for a vote book and further evidence */
  encoded: Uint8Array
  /** the ids behind its digest, ascending lowercase hex */
  ids: string[]
}

export interface VerifiedEvidence {
  /** the voter's own ids (entry 0), ascending lowercase hex: they hash to its digest */
  ids: string[]
  vouchers: VerifiedVoucher[]
}

/** The verified evidence of `v` (undefined when it has none), or why it is refused. */
export function verifyEvidence(v: Vote): VerifiedEvidence | undefined | { problem: string } {
  const evidence = v.evidence
  if (evidence === undefined || evidence.length === 0) return undefined
  const [own, ...entries] = evidence
  if (entries.length > MAX_VOUCHERS)
    return { problem: `${entries.length} vouchers, at most ${MAX_VOUCHERS}` }
  const ownProblem = idsProblem(v, (own as { ids: Uint8Array[] }).ids)
  if (ownProblem !== undefined) return { problem: `the voter's own ids: ${ownProblem}` }

  const vouchers: VerifiedVoucher[] = []
  const seen = new Set<string>()
  for (const [n, entry] of entries.entries()) {
    const i = n + 1
    const encoded = entry.vote as Uint8Array
    let voucher: Vote
    try {
      voucher = decodeVote(encoded)
    } catch (err) {
      if (err instanceof DecodeError) return { problem: `voucher ${i}: ${err.message}` }
      throw err
    }
    if (voucher.evidence !== undefined)
      return { problem: `voucher ${i} carries evidence of its own` }
    if (voucher.network !== v.network || voucher.epoch !== v.epoch)
      return {
        problem: `voucher ${i} is of network '${voucher.network}' epoch ${voucher.epoch}, not '${v.network}' ${v.epoch}`,
      }
    const shape = voteShapeProblem(voucher)
    if (shape !== undefined) return { problem: `voucher ${i}: ${shape.message}` }
    const signingBytes = voteSigningBytes(voucher)
    const id = sha256(signingBytes)
    const idHex = toHex(id)
    if (seen.has(idHex)) return { problem: `voucher ${i} repeats an earlier one` }
    seen.add(idHex)
    const originHex = toHex(voucher.origin)
    let valid: boolean
    try {
      valid = verifySignature(originKey(voucher.origin, originHex), signingBytes, voucher.signature)
    } catch (err) {
      if (err instanceof BadOriginError) return { problem: `voucher ${i}: ${err.message}` }
      throw err
    }
    if (!valid) return { problem: `voucher ${i}'s signature does not verify` }
    const problem = idsProblem(voucher, entry.ids)
    if (problem !== undefined) return { problem: `voucher ${i}'s ids: ${problem}` }
    vouchers.push({
      vote: { id, idHex, originHex, vote: voucher },
      encoded,
      ids: entry.ids.map(toHex),
    })
  }
  return { ids: (own as { ids: Uint8Array[] }).ids.map(toHex), vouchers }
}

function idsProblem(v: Vote, ids: Uint8Array[]): string | undefined {
  if (ids.length !== v.count) return `${ids.length} ids for a count of ${v.count}`
  const digest = epochDigest(v.network, v.epoch, ids)
  if (toHex(digest) !== toHex(v.digest)) return 'they do not hash to the digest'
  return undefined
}
