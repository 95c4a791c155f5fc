/**
 * The domain model shared by every package. Integers that are uint64 on the wire are JS
 * numbers here: decoders reject values above Number.MAX_SAFE_INTEGER (no honest epoch,
 * timestamp or seq comes near it), so nothing is silently rounded.
 */

/** A signed entropy contribution (docs/PROTOCOL.md, "Wire format", version 1). */
export interface Contribution {
  network: string
  /** origin's libp2p peer id bytes (Ed25519 identity multihash) */
  origin: Uint8Array
  seq: number
  epoch: number
  timestampMs: number
  /** 1..maxBits valid bits */
  bitLength: number
  /** ceil(bitLength/8) bytes, MSB first, unused low bits of the last byte zero */
  bits: Uint8Array
  /** Ed25519 over the contribution signing bytes */
  signature: Uint8Array
}

export type UnsignedContribution = Omit<Contribution, 'signature'>

/** A node's signed statement of its folded set for one epoch. */
export interface Vote {
  network: string
  origin: Uint8Array
  epoch: number
  /** 32-byte epoch digest */
  digest: Uint8Array
  /** contributions folded for that epoch */
  count: number
  /** 32-byte beacon, empty when count = 0 */
  beacon: Uint8Array
  timestampMs: number
  signature: Uint8Array
  /**
   * A re-vote's evidence (DESIGN.md, "Re-votes carry their evidence"), expanded; outside
   * the signature and the vote id. Entry 0 is the voter's own set, every later entry a
   * voucher. Absent (or empty) on the wire: no field 11, the version-1 bytes exactly.
   */
  evidence?: VoteEvidence[]
}

/** One evidence entry, expanded: the codec compacts it on the wire (wire/evidence.ts). */
export interface VoteEvidence {
  /** absent on entry 0 (the voter's own set); else the voucher's encoded vote, without evidence */
  vote?: Uint8Array
  /** 32-byte ids, ascending: the voter's own set (entry 0), else those behind the voucher's digest */
  ids: Uint8Array[]
}

export type UnsignedVote = Omit<Vote, 'signature'>

/** A contribution whose signature has been checked, with its content id. */
export interface VerifiedContribution {
  /** SHA-256 of the signing bytes */
  id: Uint8Array
  /** lowercase hex of `id`: the key in maps and stores */
  idHex: string
  /** lowercase hex of `origin` */
  originHex: string
  contribution: Contribution
}

/** Gossipsub-aligned verdicts: reject lowers the sender's score, ignore does not. */
export type Verdict = 'accept' | 'reject' | 'ignore'
