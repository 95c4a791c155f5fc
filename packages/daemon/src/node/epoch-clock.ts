import { epochCloseMs, epochFinalMs, epochOf, type ProtocolParams } from '@alara/protocol'

/**
 * Drives per-epoch milestones from the wall clock: each milestone of epoch r falls at a
 * time `at(r)` that grows with r (close at end(r) + graceMs, final at end(r) + finalMs,
 * the version-2 beacon's commit, freeze, reveal and recovery). One timer, always set to
 * the next milestone; a late timer (a busy event loop, a suspended laptop) catches up on
 * every milestone it passed, in time order (ties in the order the milestones are given),
 * so no epoch is skipped. Runs are chained: one ends before the next starts.
 */
export interface Milestone {
  /** when it falls for epoch r (ms); must grow with r */
  at(r: number): number
  run(r: number): void | Promise<void>
}

export class MilestoneClock {
  private timer: NodeJS.Timeout | undefined
  /** per milestone, the epoch whose turn is next */
  private readonly next: number[]
  private running = false
  private chain: Promise<void> = Promise.resolve()

  constructor(
    private readonly milestones: readonly Milestone[],
    /** epochs back from now where the search for the first milestone to come starts */
    lookBack: number,
    epochMs: number,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    // Milestones that fell before the start were not seen: catch-up covers their epochs.
    const start = Math.max(0, epochOf(this.now(), epochMs) - lookBack)
    const nowMs = this.now()
    this.next = milestones.map((m) => {
      let r = start
      while (m.at(r) <= nowMs) r++
      return r
    })
  }

  /** The epoch whose turn of milestone `index` is the next to come. */
  nextEpochOf(index: number): number {
    return this.next[index] as number
  }

  start(): void {
    this.running = true
    this.schedule()
  }

  stop(): Promise<void> {
    this.running = false
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    return this.chain
  }

  /** The milestone due first (ties: the first given) and when. */
  private earliest(): { index: number; due: number } {
    let index = 0
    let due = Number.POSITIVE_INFINITY
    for (const [i, m] of this.milestones.entries()) {
      const at = m.at(this.next[i] as number)
      if (at < due) {
        due = at
        index = i
      }
    }
    return { index, due }
  }

  private schedule(): void {
    if (!this.running || this.milestones.length === 0) return
    const { due } = this.earliest()
    this.timer = setTimeout(() => this.tick(), Math.max(0, due - this.now()))
  }

  private tick(): void {
    const now = this.now()
    while (this.running) {
      const { index, due } = this.earliest()
      if (due > now) break
      const r = this.next[index] as number
      this.next[index] = r + 1
      const m = this.milestones[index] as Milestone
      this.chain = this.chain.then(() => m.run(r)).catch(this.onError)
    }
    this.schedule()
  }
}

export interface EpochEvents {
  close(epoch: number): void | Promise<void>
  finalize(epoch: number): void | Promise<void>
}

/** The epoch life cycle: close(r) at end(r) + graceMs, finalize(r) at end(r) + finalMs. */
export class EpochClock extends MilestoneClock {
  constructor(
    params: Pick<ProtocolParams, 'epochMs' | 'graceMs' | 'finalMs'>,
    events: EpochEvents,
    onError: (err: unknown) => void,
    now: () => number = Date.now,
  ) {
    super(
      [
        { at: (r) => epochCloseMs(r, params), run: (r) => events.close(r) },
        { at: (r) => epochFinalMs(r, params), run: (r) => events.finalize(r) },
      ],
      Math.ceil(params.finalMs / params.epochMs) + 2,
      params.epochMs,
      onError,
      now,
    )
  }

  /** Epoch whose close is the next to come. */
  get nextCloseEpoch(): number {
    return this.nextEpochOf(0)
  }
}
