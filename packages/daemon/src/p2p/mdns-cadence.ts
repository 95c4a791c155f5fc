import type { Startable } from '@libp2p/interface'

/**
 * When mDNS asks the LAN. @libp2p/mdns queries once when it starts and then every
 * `interval`; every node answers every query by multicast, and every answer costs every
 * node a peer-store write, so a short interval is most of an idle member's cost (at 5 s,
 * ~4 writes a second per node at 5 nodes: docs/BENCHMARKS.md "Idle cost"). A long one
 * leaves a node whose first query nobody heard (sent before the others listened, or
 * lost) alone until the next. So the service runs with the long interval
 * (`MDNS_REPEAT_MS`) and is restarted, which sends its start-up query again, a few times
 * soon after start (`MDNS_EARLY_QUERIES_MS`).
 */
export const MDNS_REPEAT_MS = 60_000
/** after the daemon's start: 2, 5, 10, 20 and 40 s */
export const MDNS_EARLY_QUERIES_MS = [2_000, 5_000, 10_000, 20_000, 40_000] as const

/** The part of @libp2p/mdns's service used here (its Startable interface). */
export interface RestartableDiscovery {
  isStarted(): boolean
  start(): Promise<void> | void
  stop(): Promise<void> | void
}

export class MdnsCadence implements Startable {
  private readonly timers: NodeJS.Timeout[] = []
  private restarting: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(
    private readonly mdns: RestartableDiscovery | undefined,
    private readonly earlyMs: readonly number[] = MDNS_EARLY_QUERIES_MS,
  ) {}

  start(): void {
    if (this.mdns === undefined) return
    for (const ms of this.earlyMs) {
      const timer = setTimeout(() => this.query(), ms)
      timer.unref()
      this.timers.push(timer)
    }
  }

  /** Restarts the service (a fresh socket and its start-up query), one restart at a time. */
  private query(): void {
    const mdns = this.mdns
    if (mdns === undefined) return
    this.restarting = this.restarting.then(async () => {
      if (this.stopped || !mdns.isStarted()) return
      await mdns.stop()
      if (!this.stopped) await mdns.start()
    })
    this.restarting.catch(() => undefined)
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const timer of this.timers.splice(0)) clearTimeout(timer)
    await this.restarting.catch(() => undefined)
  }
}
