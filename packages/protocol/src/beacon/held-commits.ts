import { epochDigest } from '../epoch.js'
import { InvalidInputError } from '../errors.js'
import { fromHex } from '../platform.js'
import { type CommitSet, commitSet } from './commits.js'

/**
 * The commits one node holds for one epoch (DESIGN.md "The shared beacon, version 2"), pure:
 * what its votes say (the held-set digest), what its commit set C_r is once frozen, and
 * who equivocated, with the evidence.
 *
 * A vote's `commits_digest` is the epoch-digest layout over the ids of every commit held
 * (both commits of an equivocator included) and `commit_count` their number: that digest
 * has one preimage, so a voucher vouches only for commits its voter really held, and the
 * second commit of an equivocator is admitted after close like any item (DESIGN.md
 * "Admission after close"). D_r, which the beacon hangs on, is computed from the frozen
 * set: members with exactly one commit.
 */

/** A commit whose signature was checked: what the set keeps of it. */
export interface HeldCommit {
  idHex: string
  originHex: string
  origin: Uint8Array
  /** c, decoded */
  c: bigint
  /** the signed Commit as it travels (evidence, sync, the public API) */
  encoded: Uint8Array
}

export type AddCommitResult =
  /** the first commit of its origin */
  | 'added'
  /** a second, different commit of an origin: it is equivocating from now on */
  | 'equivocation'
  | 'duplicate'
  /** the origin already has two commits held (its equivocation is proven), or the epoch is full */
  | 'full'

export interface Equivocation {
  originHex: string
  /** both signed commits, the evidence */
  commits: HeldCommit[]
}

export class HeldCommits {
  private readonly byId = new Map<string, HeldCommit>()
  private readonly byOrigin = new Map<string, HeldCommit[]>()
  /** the held-set digest, kept until a commit is added (every member vote compares it) */
  private digest: Uint8Array | undefined

  constructor(
    readonly network: string,
    readonly epoch: number,
    /** origins kept at most (members of one network: DESIGN.md "Bounds") */
    private readonly maxOrigins: number,
  ) {
    if (!Number.isSafeInteger(maxOrigins) || maxOrigins < 1)
      throw new InvalidInputError(`maxOrigins must be a positive integer, got ${maxOrigins}`)
  }

  add(commit: HeldCommit): AddCommitResult {
    if (this.byId.has(commit.idHex)) return 'duplicate'
    const mine = this.byOrigin.get(commit.originHex)
    if (mine === undefined) {
      if (this.byOrigin.size >= this.maxOrigins) return 'full'
      this.byOrigin.set(commit.originHex, [commit])
      this.byId.set(commit.idHex, commit)
      this.digest = undefined
      return 'added'
    }
    if (mine.length >= 2) return 'full'
    mine.push(commit)
    this.byId.set(commit.idHex, commit)
    this.digest = undefined
    return 'equivocation'
  }

  has(idHex: string): boolean {
    return this.byId.has(idHex)
  }

  get(idHex: string): HeldCommit | undefined {
    return this.byId.get(idHex)
  }

  /** Commits held of this origin (0, 1, or 2 when it equivocated). */
  countOf(originHex: string): number {
    return this.byOrigin.get(originHex)?.length ?? 0
  }

  get count(): number {
    return this.byId.size
  }

  /** Ids of every commit held, ascending. */
  ids(): string[] {
    return [...this.byId.keys()].sort()
  }

  /** Every commit held, in id order. */
  all(): HeldCommit[] {
    return this.ids().map((id) => this.byId.get(id) as HeldCommit)
  }

  /** The held-set digest a vote carries (`commits_digest`): epoch-digest layout over the ids. */
  heldDigest(): Uint8Array {
    this.digest ??= epochDigest(this.network, this.epoch, this.ids().map(fromHex))
    return this.digest
  }

  equivocations(): Equivocation[] {
    const out: Equivocation[] = []
    for (const [originHex, commits] of this.byOrigin)
      if (commits.length > 1) out.push({ originHex, commits: [...commits] })
    return out.sort((a, b) => (a.originHex < b.originHex ? -1 : 1))
  }

  /**
   * C_r from what is held: one commit per origin among those `isMember` counts, origins
   * that equivocated left out. `T` is the network's timelockSquarings (part of D_r).
   */
  commitSet(T: number, isMember: (originHex: string) => boolean): CommitSet {
    const single: HeldCommit[] = []
    for (const [originHex, commits] of this.byOrigin)
      if (commits.length === 1 && isMember(originHex)) single.push(commits[0] as HeldCommit)
    return commitSet(this.network, T, this.epoch, single)
  }
}

/** The held-set digest of a list of commit ids (what a vote's commits_digest must equal). */
export function heldCommitsDigest(
  network: string,
  epoch: number,
  idHexes: readonly string[],
): Uint8Array {
  return epochDigest(network, epoch, idHexes.map(fromHex))
}
