import { epochCloseMs, epochFinalMs, epochOf, type ProtocolParams } from '@alara/protocol'

/**
 * Drives the epoch life cycle from the wall clock: epoch r closes at end(r) + graceMs and
 * is final at end(r) + finalMs. One timer, always set to the next boundary; a late timer
 * (a busy event loop, a suspended laptop) catches up on every boundary it passed, in
 * order, so no epoch is skipped.
 */
export interface EpochEvents {
  close(epoch: number): void | Promise<void>
  finalize(epoch: number): void | Promise<void>
}

export class EpochClock {
  private timer: NodeJS.Timeout | undefined
  private nextClose: number
  private nextFinal: number
  private running = false
  private chain: Promise<void> = Promise.resolve()

  constructor(
    private readonly params: Pick<ProtocolParams, 'epochMs' | 'graceMs' | 'finalMs'>,
    private readonly events: EpochEvents,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    // Epochs whose close lies before the start were not seen closing: catch-up covers them.
    const current = epochOf(this.now(), params.epochMs)
    this.nextClose = this.firstAfter(current, (r) => epochCloseMs(r, params))
    this.nextFinal = this.firstAfter(current, (r) => epochFinalMs(r, params))
  }

  /** Epoch whose close is the next to come. */
  get nextCloseEpoch(): number {
    return this.nextClose
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

  private firstAfter(current: number, at: (r: number) => number): number {
    let r = Math.max(0, current - Math.ceil(this.params.finalMs / this.params.epochMs) - 2)
    const now = this.now()
    while (at(r) <= now) r++
    return r
  }

  private schedule(): void {
    if (!this.running) return
    const due = Math.min(
      epochCloseMs(this.nextClose, this.params),
      epochFinalMs(this.nextFinal, this.params),
    )
    this.timer = setTimeout(() => this.tick(), Math.max(0, due - this.now()))
  }

  private tick(): void {
    const now = this.now()
    while (this.running) {
      const close = epochCloseMs(this.nextClose, this.params)
      const final = epochFinalMs(this.nextFinal, this.params)
      if (close <= now && close <= final) {
        const r = this.nextClose++
        this.chain = this.chain.then(() => this.events.close(r)).catch(this.onError)
      } else if (final <= now) {
        const r = this.nextFinal++
        this.chain = this.chain.then(() => this.events.finalize(r)).catch(this.onError)
      } else break
    }
    this.schedule()
  }
}
