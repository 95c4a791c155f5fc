import { DEFAULT_PARAMS, type ProtocolParams } from './config.js'
import { InvalidInputError } from './errors.js'
import { toHex } from './signing.js'

/**
 * Trust policy and consensus math (docs/PROTOCOL.md, "Fold and derived values" and "Consensus").
 * Peers are named by origin hex (lowercase hex of their peer id bytes) throughout, as in
 * the replica; the daemon turns them into base58 peer ids for display.
 */

/** A peer's local trust level: trust in [0, 1], active = not paused. */
export interface TrustLevel {
  trust: number
  active: boolean
}

/** The trust store: undefined for a peer it does not list (defaultTrust then applies). */
export type TrustLookup = (originHex: string) => TrustLevel | undefined

const SELF: TrustLevel = Object.freeze({ trust: 1, active: true })

/** A peer's effective trust: the node itself 1, else the store's level, else defaultTrust. */
export function resolveTrust(
  originHex: string,
  selfHex: string,
  lookup: TrustLookup | undefined,
  defaultTrust: number,
): TrustLevel {
  if (originHex === selfHex) return SELF
  const level = lookup?.(originHex) ?? { trust: defaultTrust, active: true }
  assertTrustLevel(level, originHex)
  return level
}

/** Throws InvalidInputError unless trust is a number in [0, 1] and active a boolean. */
export function assertTrustLevel(level: TrustLevel, who = 'peer'): void {
  if (typeof level.trust !== 'number' || !(level.trust >= 0 && level.trust <= 1))
    throw new InvalidInputError(`trust of ${who} must be a number from 0 to 1, got ${level.trust}`)
  if (typeof level.active !== 'boolean')
    throw new InvalidInputError(`active flag of ${who} must be a boolean, got ${level.active}`)
}

/** Weight a peer carries in folding, credit and votes: its trust when active, else 0. */
export function trustWeight(level: TrustLevel): number {
  return level.active ? level.trust : 0
}

/**
 * Agreement needed for `agreed`: 1 − byzantineThreshold. The design gives the default 0.33
 * as "2/3" (docs/PROTOCOL.md, "Consensus"): 0.33 is the original's two-decimal spelling of one third, so a threshold within
 * 0.005 of 1/3 is read as exactly 1/3 (else 2 of 3 equal voters, 0.667, would fall short
 * of 0.67 and a three-node network could never agree with one dissenter).
 */
export function requiredAgreement(byzantineThreshold: number): number {
  if (!(byzantineThreshold >= 0 && byzantineThreshold < 1))
    throw new InvalidInputError(
      `byzantineThreshold must be a number in [0, 1), got ${byzantineThreshold}`,
    )
  if (Math.abs(byzantineThreshold - 1 / 3) < 0.005) return 2 / 3
  return 1 - byzantineThreshold
}

/** Sums of trust are floats; a ratio that is mathematically on the threshold must pass. */
const RATIO_EPSILON = 1e-9

export type ConsensusStatus = 'agreed' | 'split' | 'pending' | 'alone'

/** A counted vote on an epoch this node is catching up on (DESIGN.md "Catch-up"). */
export interface CatchUpVoter {
  originHex: string
  /** the voter's trust (a member's: > 0) */
  trust: number
  digestHex: string
  /** this node has heard the voter since it started (its current word on the epoch) */
  heard: boolean
}

/**
 * What a node does with an epoch it did not see freeze (it was away, or had closed it but
 * not frozen it when it started): `wait` until members holding `required` (1 −
 * byzantineThreshold) of the counted trust that voted on it have been heard, never on
 * the word of a single peer; then the digest to hold is the one with the most trust among
 * the heard (ties: the smallest digest, so every node picks the same): `keep` when it is
 * mine, else `adopt` it, taking the set behind it from its voters (`from`, most trusted
 * first), never a union with other digests. `agreed` says whether that digest has the
 * required share of all counted trust (else the epoch is reported split). With no counted
 * vote, `wait`: whether a node alone may freeze is the daemon's to say.
 */
export type CatchUpDecision =
  | { action: 'wait' }
  | { action: 'keep'; agreed: boolean }
  | { action: 'adopt'; digestHex: string; from: string[]; agreed: boolean }

export function catchUpDecision(
  voters: readonly CatchUpVoter[],
  myDigestHex: string,
  required: number,
): CatchUpDecision {
  let total = 0
  let heard = 0
  const byDigest = new Map<string, { trust: number; voters: CatchUpVoter[] }>()
  for (const v of voters) {
    if (!(v.trust > 0)) continue
    total += v.trust
    if (!v.heard) continue
    heard += v.trust
    const d = byDigest.get(v.digestHex) ?? { trust: 0, voters: [] }
    d.trust += v.trust
    d.voters.push(v)
    byDigest.set(v.digestHex, d)
  }
  if (total === 0 || heard < required * total - RATIO_EPSILON) return { action: 'wait' }
  let best: [string, { trust: number; voters: CatchUpVoter[] }] | undefined
  for (const entry of byDigest) {
    if (
      best === undefined ||
      entry[1].trust > best[1].trust + RATIO_EPSILON ||
      (Math.abs(entry[1].trust - best[1].trust) <= RATIO_EPSILON && entry[0] < best[0])
    )
      best = entry
  }
  if (best === undefined) return { action: 'wait' }
  const agreed = best[1].trust >= required * total - RATIO_EPSILON
  if (best[0] === myDigestHex) return { action: 'keep', agreed }
  const from = [...best[1].voters]
    .sort((a, b) => b.trust - a.trust || (a.originHex < b.originHex ? -1 : 1))
    .map((v) => v.originHex)
  return { action: 'adopt', digestHex: best[0], from, agreed }
}

export interface AgreementVote {
  originHex: string
  /** the voter's 32-byte epoch digest */
  digest: Uint8Array
}

export interface AgreementInput {
  /** this node's digest of the epoch */
  myDigest: Uint8Array
  /** peers' newest votes for the epoch, at most one per origin (a VoteBook gives that) */
  votes: readonly AgreementVote[]
  selfHex: string
  trustOf?: TrustLookup
  /**
   * Membership (docs/PROTOCOL.md, "Membership"): only members' votes are counted. Absent:
   * a voter with trust > 0, active is a member.
   */
  isMember?: (originHex: string) => boolean
  /** strangers' votes (a small bounded list): listed, never counted */
  strangers?: readonly AgreementVote[]
  /** whether this node has closed the epoch (end + graceMs passed): else `pending` */
  closed: boolean
  params?: Partial<Pick<ProtocolParams, 'defaultTrust' | 'byzantineThreshold'>>
}

export interface Voter {
  originHex: string
  /** lowercase hex of the voter's digest */
  digest: string
  trust: number
  active: boolean
  /** a member here (trust store, closed network or LAN; the node itself) */
  member: boolean
  /** a member with trust > 0, active: part of the agreement; else only listed */
  counted: boolean
  agrees: boolean
}

export interface AgreementResult {
  /** Σ trust of counted voters agreeing with me (me included, trust 1) ÷ Σ trust of counted voters */
  agreement: number
  status: ConsensusStatus
  /** lowercase hex of my digest */
  digest: string
  /** me first, then peers by origin hex */
  voters: Voter[]
  /** counted voters whose digest differs from mine */
  dissenters: Voter[]
}

/** Trust-weighted agreement of epoch r at this node. */
export function agreement(input: AgreementInput): AgreementResult {
  const defaultTrust = input.params?.defaultTrust ?? DEFAULT_PARAMS.defaultTrust
  const threshold = input.params?.byzantineThreshold ?? DEFAULT_PARAMS.byzantineThreshold
  const required = requiredAgreement(threshold)
  assertDigest(input.myDigest, 'my digest')
  const mine = toHex(input.myDigest)

  const me: Voter = {
    originHex: input.selfHex,
    digest: mine,
    trust: 1,
    active: true,
    member: true,
    counted: true,
    agrees: true,
  }
  const peers: Voter[] = []
  const seen = new Set<string>()
  for (const vote of input.votes) {
    // Self is counted from myDigest; an echo of my own gossiped vote adds nothing.
    if (vote.originHex === input.selfHex) continue
    if (seen.has(vote.originHex))
      throw new InvalidInputError(`more than one vote from ${vote.originHex} for one epoch`)
    seen.add(vote.originHex)
    assertDigest(vote.digest, `digest of ${vote.originHex}`)
    const level = resolveTrust(vote.originHex, input.selfHex, input.trustOf, defaultTrust)
    const digest = toHex(vote.digest)
    const member = input.isMember?.(vote.originHex) ?? trustWeight(level) > 0
    peers.push({
      originHex: vote.originHex,
      digest,
      trust: level.trust,
      active: level.active,
      member,
      counted: member && trustWeight(level) > 0,
      agrees: digest === mine,
    })
  }
  for (const vote of input.strangers ?? []) {
    if (vote.originHex === input.selfHex || seen.has(vote.originHex)) continue
    seen.add(vote.originHex)
    assertDigest(vote.digest, `digest of ${vote.originHex}`)
    const digest = toHex(vote.digest)
    peers.push({
      originHex: vote.originHex,
      digest,
      trust: 0,
      active: false,
      member: false,
      counted: false,
      agrees: digest === mine,
    })
  }
  peers.sort((a, b) => (a.originHex < b.originHex ? -1 : a.originHex > b.originHex ? 1 : 0))

  let agreeing = me.trust
  let total = me.trust
  let counted = 0
  for (const v of peers) {
    if (!v.counted) continue
    counted++
    total += v.trust
    if (v.agrees) agreeing += v.trust
  }
  const ratio = agreeing / total
  // `alone`: nobody counted but me, so agreement 1 would say nothing (a node on its own,
  // or whose peers are all strangers)
  const status: ConsensusStatus = !input.closed
    ? 'pending'
    : counted === 0
      ? 'alone'
      : ratio >= required - RATIO_EPSILON
        ? 'agreed'
        : 'split'
  return {
    agreement: ratio,
    status,
    digest: mine,
    voters: [me, ...peers],
    dissenters: peers.filter((v) => v.counted && !v.agrees),
  }
}

// ---- votes -------------------------------------------------------------------------------

/** What the VoteBook needs of a vote; the daemon can keep whole signed votes in it. */
export interface BookVote {
  originHex: string
  epoch: number
  digest: Uint8Array
  timestampMs: number
}

/** new: first vote of that origin for the epoch; replaced: a newer one won; stale: ignored. */
export type RecordResult = 'new' | 'replaced' | 'stale'

/**
 * The newest vote per origin and epoch (a changed digest is voted again, and the newest
 * counts). Equal timestamps with different digests (an equivocating origin) keep the
 * greater digest, so every node ends with the same vote whatever the arrival order.
 */
export class VoteBook<V extends BookVote = BookVote> {
  private readonly byEpoch = new Map<number, Map<string, V>>()

  /** Records `vote` unless a newer one of its origin for its epoch is already there. */
  record(vote: V): RecordResult {
    assertDigest(vote.digest, `digest of ${vote.originHex}`)
    if (!Number.isSafeInteger(vote.epoch) || vote.epoch < 0)
      throw new InvalidInputError(`vote epoch must be a non-negative integer, got ${vote.epoch}`)
    let votes = this.byEpoch.get(vote.epoch)
    if (votes === undefined) {
      votes = new Map()
      this.byEpoch.set(vote.epoch, votes)
    }
    const old = votes.get(vote.originHex)
    if (old === undefined) {
      votes.set(vote.originHex, vote)
      return 'new'
    }
    if (!newer(vote, old)) return 'stale'
    votes.set(vote.originHex, vote)
    return 'replaced'
  }

  /** Newest vote of each origin for `epoch`, by origin hex. */
  votesOf(epoch: number): V[] {
    const votes = this.byEpoch.get(epoch)
    if (votes === undefined) return []
    return [...votes.values()].sort((a, b) =>
      a.originHex < b.originHex ? -1 : a.originHex > b.originHex ? 1 : 0,
    )
  }

  voteOf(epoch: number, originHex: string): V | undefined {
    return this.byEpoch.get(epoch)?.get(originHex)
  }

  /** Epochs holding at least one vote, ascending. */
  epochs(): number[] {
    return [...this.byEpoch.keys()].sort((a, b) => a - b)
  }

  /** Drops the votes of epochs before `oldestEpoch`; returns how many votes went. */
  prune(oldestEpoch: number): number {
    let dropped = 0
    for (const [epoch, votes] of this.byEpoch) {
      if (epoch >= oldestEpoch) continue
      dropped += votes.size
      this.byEpoch.delete(epoch)
    }
    return dropped
  }

  /** Number of votes held. */
  get size(): number {
    let n = 0
    for (const votes of this.byEpoch.values()) n += votes.size
    return n
  }
}

function newer(a: BookVote, b: BookVote): boolean {
  if (a.timestampMs !== b.timestampMs) return a.timestampMs > b.timestampMs
  return toHex(a.digest) > toHex(b.digest)
}

function assertDigest(digest: Uint8Array, what: string): void {
  if (!(digest instanceof Uint8Array) || digest.length !== 32)
    throw new InvalidInputError(`${what} must be 32 bytes, got ${digest?.length}`)
}
