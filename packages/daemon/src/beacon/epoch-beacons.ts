import {
  AdmissionBook,
  type BeaconOutcome,
  beaconOutcome,
  type CommitSet,
  checkReveals,
  type HeldCommit,
  HeldCommits,
  type ProtocolParams,
  type Recovery,
  type RevealCheck,
  type RevealInput,
  toHex,
} from '@alara/protocol'

/**
 * The version-2 beacon's state as data, no I/O (DESIGN.md "The shared beacon, version 2"):
 * per epoch of the window, the commits held (and who equivocated), the after-close
 * admission book of commits (vouchers are votes' held-commit digests), commits waiting
 * for vouchers, the commit set frozen at the admission deadline, the reveals, the
 * recovery, and the outcome. Every map is bounded (docs/OPERATIONS.md "Limits").
 */

export const BEACON_LIMITS = Object.freeze({
  /** origins whose commits are held per epoch (a member's at most two: equivocation) */
  originsPerEpoch: 1024,
  /** commits held per epoch while they wait for vouchers after close */
  heldPerEpoch: 1024,
  /** recoveries checked per epoch (members' only; a failed one costs its sender) */
  recoveriesPerEpoch: 8,
})

/** A reveal kept: its bytes (evidence, sync, the public API) and α. */
export interface HeldReveal {
  originHex: string
  alpha: Uint8Array
  encoded: Uint8Array
}

export interface HeldRecovery {
  recovery: Recovery
  encoded: Uint8Array
}

export class EpochBeacon {
  readonly commits: HeldCommits
  /** after close: every distinct member vote's held-commit digest, the sets behind them */
  readonly book: AdmissionBook
  /** commits that came by repair after close without their round's vouchers yet */
  readonly waiting = new Map<string, HeldCommit>()
  /** commits admitted after close, with their round */
  readonly late = new Map<string, number>()
  /** C_r, once frozen (at the admission deadline, or adopted by catch-up) */
  frozen: CommitSet | undefined
  /** valid-signature reveals of members, one per origin (the first) */
  readonly reveals = new Map<string, HeldReveal>()
  /** the valid recovery taken, if one was needed */
  recovery: HeldRecovery | undefined
  /** recoveries checked so far (bounded) */
  recoveriesChecked = 0
  /** revealed / recovered once known; pending otherwise */
  outcome: BeaconOutcome | undefined
  /** this node revealed its own α for this epoch */
  revealed = false
  private lastCheck: { reveals: number; set: CommitSet; check: RevealCheck } | undefined

  constructor(
    readonly epoch: number,
    params: ProtocolParams,
    selfHex: string,
  ) {
    this.commits = new HeldCommits(params.network, epoch, BEACON_LIMITS.originsPerEpoch)
    this.book = new AdmissionBook({ network: params.network, epoch, selfHex })
  }

  /** The commits behind a held-commits digest, when every one is held here. */
  commitsBehind(digestHex: string): HeldCommit[] | undefined {
    if (toHex(this.commits.heldDigest()) === digestHex) return this.commits.all()
    const ids = this.book.idsOf(digestHex)
    if (ids === undefined) return undefined
    const out: HeldCommit[] = []
    for (const id of ids) {
      const commit = this.commits.get(id) ?? this.waiting.get(id)
      if (commit === undefined) return undefined
      out.push(commit)
    }
    return out
  }

  /**
   * What sync serves of this epoch: the commits behind `digestHex` when known (else every
   * commit held, both of an equivocator among them), the reveals, the recovery.
   */
  messages(digestHex?: string): {
    commits: Uint8Array[]
    reveals: Uint8Array[]
    recoveries: Uint8Array[]
  } {
    const commits =
      (digestHex === undefined ? undefined : this.commitsBehind(digestHex)) ?? this.commits.all()
    return {
      commits: commits.map((c) => c.encoded),
      reveals: [...this.reveals.values()].map((r) => r.encoded),
      recoveries: this.recovery === undefined ? [] : [this.recovery.encoded],
    }
  }

  /**
   * Ω_r from the reveals (and the recovery) once they cover C_r: revealed or recovered;
   * pending while a member has neither a reveal nor a recovery covering it, or when an
   * invalid reveal is not covered; undefined before the freeze or for an empty set.
   */
  computeOutcome(h: bigint): BeaconOutcome | undefined {
    const set = this.frozen
    if (set === undefined || set.members.length === 0) return undefined
    const recovered = new Set(this.recovery?.recovery.withheld.map(toHex) ?? [])
    // the group arithmetic only once every member is covered: until then, who is missing
    if (!set.members.every((m) => this.reveals.has(m.originHex) || recovered.has(m.originHex)))
      return { status: 'pending', withheld: this.withheld() }
    return beaconOutcome(set, h, this.checked(set), this.recovery?.recovery)
  }

  /** Members of C_r without a valid reveal (invalid ones included), as of now. */
  withheld(): string[] {
    const set = this.frozen
    if (set === undefined) return []
    const missing = set.members.filter((m) => !this.reveals.has(m.originHex))
    // every reveal there: the check says which are invalid (the aggregate, then one by one)
    if (missing.length === 0) return this.checked(set).withheld
    return missing.map((m) => m.originHex)
  }

  /**
   * The reveals checked against C_r (one aggregate exponentiation, and one per reveal only
   * when it fails), kept until another reveal arrives: reveals only ever add.
   */
  private checked(set: CommitSet): RevealCheck {
    if (this.lastCheck?.reveals !== this.reveals.size || this.lastCheck.set !== set)
      this.lastCheck = {
        reveals: this.reveals.size,
        set,
        check: checkReveals(set, this.revealsIn(set)),
      }
    return this.lastCheck.check
  }

  private revealsIn(set: CommitSet): RevealInput[] {
    const out: RevealInput[] = []
    for (const m of set.members) {
      const reveal = this.reveals.get(m.originHex)
      if (reveal !== undefined) out.push({ origin: m.origin, alpha: reveal.alpha })
    }
    return out
  }

  /** Ω_r is known (revealed or recovered). */
  get settled(): boolean {
    return this.outcome !== undefined && this.outcome.status !== 'pending'
  }
}

/** Every epoch's EpochBeacon in the window, made on first use. */
export class EpochBeacons {
  private readonly byEpoch = new Map<number, EpochBeacon>()

  constructor(
    private readonly params: ProtocolParams,
    private readonly selfHex: string,
  ) {}

  of(r: number): EpochBeacon {
    let beacon = this.byEpoch.get(r)
    if (beacon === undefined) {
      beacon = new EpochBeacon(r, this.params, this.selfHex)
      this.byEpoch.set(r, beacon)
    }
    return beacon
  }

  ifAny(r: number): EpochBeacon | undefined {
    return this.byEpoch.get(r)
  }

  epochs(): number[] {
    return [...this.byEpoch.keys()].sort((a, b) => a - b)
  }

  prune(oldest: number): void {
    for (const r of this.byEpoch.keys()) if (r < oldest) this.byEpoch.delete(r)
  }
}
