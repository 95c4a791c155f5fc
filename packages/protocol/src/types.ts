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
   * Version 2: D_r, the digest of the epoch's commit set C_r (32 bytes), present exactly
   * when commitCount > 0. Signed: the signing bytes then end with `bin commits_digest ‖
   * u32 commit_count`. Absent (or empty) with no commits: the version-1 bytes exactly.
   */
  commitsDigest?: Uint8Array
  /** Version 2: commits in C_r; absent or 0 when the vote carries no commit set. */
  commitCount?: number
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

/**
 * Version 2's Commit (DESIGN.md, "The shared beacon, version 2"): a member's c = |g^α|
 * for the epoch, signed. `c` travels as enc(c), 256 bytes; validation decodes it.
 */
export interface Commit {
  network: string
  /** origin's libp2p peer id bytes (Ed25519 identity multihash) */
  origin: Uint8Array
  /** floor(timestampMs / epochMs) */
  epoch: number
  /** enc(c): 256 bytes big-endian, an element in [2, (N−1)/2] */
  c: Uint8Array
  timestampMs: number
  /** Ed25519 over the commit signing bytes */
  signature: Uint8Array
}

export type UnsignedCommit = Omit<Commit, 'signature'>

/** Version 2's Reveal: the α (272 bytes) that opens the origin's commit of the epoch. */
export interface Reveal {
  network: string
  origin: Uint8Array
  epoch: number
  /** α, 272 bytes big-endian */
  alpha: Uint8Array
  /** Ed25519 over the reveal signing bytes */
  signature: Uint8Array
}

export type UnsignedReveal = Omit<Reveal, 'signature'>

/**
 * Version 2's Recovery message, as it travels: the time-lock opening of the withheld
 * commits of an epoch. No signature: its proof is checked against the commit set, whoever
 * sent it. Validation decodes `y` and `proof` into the beacon's `Recovery` (bigints).
 */
export interface RecoveryMessage {
  network: string
  epoch: number
  /** D_r of the set it recovers, 32 bytes */
  commitsDigest: Uint8Array
  /** origins of the withheld members, strictly ascending bytes */
  withheld: Uint8Array[]
  /** enc(y), 256 bytes */
  y: Uint8Array
  /** enc(π), 256 bytes */
  proof: Uint8Array
}

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

/** The status of an epoch's shared beacon Ω_r (version 2). */
export type SharedBeaconStatus = 'pending' | 'revealed' | 'recovered' | 'none'

/**
 * The JSON of the public beacon API's `GET /public/{epoch}` (DESIGN.md "The daemon's
 * surfaces"): what a node serves and @alara/client verifies. Messages are hex of their
 * wire encoding; peer ids are strings.
 */
export interface PublicBeaconAnswer {
  epoch: number
  /** Ω_r, lowercase hex: absent until revealed or recovered */
  beacon?: string
  status: SharedBeaconStatus
  /** D_r, hex: absent when C_r is empty or not frozen */
  commitsDigest?: string
  /** the signed commits of C_r, sorted by origin bytes */
  commits: string[]
  /** the signed reveals of C_r's members, sorted by origin bytes */
  reveals: string[]
  /** the Recovery message, when the output took the withheld members from it */
  recovery?: string
  /** peer ids of the members of C_r without a valid reveal */
  withheld: string[]
  /** origins that signed two different commits for the epoch, with both as evidence */
  equivocating: Array<{ peerId: string; commits: string[] }>
  /** the pool beacon (version 1), hex: absent when nothing was folded */
  poolBeacon?: string
  digest: string
  count: number
  /** the signed contributions, in ascending id order */
  contributions: string[]
}
