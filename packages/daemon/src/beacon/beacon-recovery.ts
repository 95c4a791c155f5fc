import {
  compareOrigins,
  encodeElement,
  encodeRecovery,
  fromHex,
  type Recovery,
  recoveryRankKey,
  toHex,
  withheldBase,
} from '@alara/protocol'
import type { AlaraComponents } from '../components.js'
import type { Logger } from '../util/logger.js'
import type { BeaconIngest } from './beacon-ingest.js'
import type { BeaconPublisher } from './beacon-publisher.js'
import type { BeaconSync } from './beacon-sync.js'
import type { RecoveryRunner } from './recovery-runner.js'

/**
 * Step 5 of DESIGN.md "The shared beacon, version 2": what is still withheld at the
 * freeze + 3 × graceMs (after asking for reveals gossip missed) is reported and recovered
 * in rank order: rank k among C_r's members and this node (SHA-256(DST("rank") ‖ u64 r ‖
 * bin origin)) starts k × recoveryStaggerMs later, unless a valid recovery arrived; the
 * squarings run on the RecoveryRunner's thread; one that arrives from a peer cancels it.
 */

/**
 * The recovery stagger when not configured: half the time one recovery of T squarings
 * takes here (BigInt squarings at ~250k/s on the reference machine, docs/BENCHMARKS.md,
 * plus ~10 % for the proof).
 */
export function defaultRecoveryStaggerMs(T: number): number {
  return Math.ceil((T * 1.1) / 250 / 2)
}

export interface BeaconRecoveryInit {
  ingest: BeaconIngest
  sync: BeaconSync
  publisher: BeaconPublisher
  runner: RecoveryRunner
  staggerMs: number
  /** runs `run` after `ms` (the service's timers, cleared at stop) */
  later(run: () => Promise<void>, ms: number): void
}

export class BeaconRecovery {
  private readonly log: Logger
  private readonly running = new Map<number, AbortController>()

  constructor(
    private readonly components: AlaraComponents,
    private readonly init: BeaconRecoveryInit,
  ) {
    this.log = components.logger('alara:beacon')
  }

  /** Epoch r's recovery is due: pull missed reveals, report, schedule by rank. */
  async due(r: number, stopping: AbortSignal): Promise<void> {
    const { state, events, selfHex } = this.components
    const beacon = state.beacons.ifAny(r)
    const set = beacon?.frozen
    if (beacon === undefined || set === undefined || beacon.settled || set.members.length === 0)
      return
    await this.init.sync.pullReveals(r, beacon.withheld(), stopping)
    if (beacon.settled) return
    const withheld = beacon.withheld()
    if (withheld.length === 0) return
    events.emit('beacon:withheld', { epoch: r, origins: withheld })
    this.log.warn(`epoch ${r}: no valid reveal from ${withheld.join(', ')}: recovering`)
    const ranked = [...new Set([...set.members.map((m) => m.originHex), selfHex])]
      .map((hex) => ({ hex, key: toHex(recoveryRankKey(r, fromHex(hex))) }))
      .sort((a, b) => (a.key < b.key ? -1 : 1))
    const rank = ranked.findIndex((e) => e.hex === selfHex)
    this.init.later(() => this.recover(r, withheld), rank * this.init.staggerMs)
  }

  /** Epoch r no longer needs this node's recovery (Ω_r is known). */
  cancel(r: number): void {
    this.running.get(r)?.abort()
  }

  stop(): void {
    for (const control of this.running.values()) control.abort()
    this.running.clear()
  }

  private async recover(r: number, withheld: string[]): Promise<void> {
    const { state, events, params } = this.components
    const beacon = state.beacons.ifAny(r)
    const set = beacon?.frozen
    if (
      beacon === undefined ||
      set === undefined ||
      beacon.settled ||
      beacon.recovery !== undefined
    )
      return
    const control = new AbortController()
    this.running.set(r, control)
    const started = performance.now()
    events.emit('beacon:recovering', { epoch: r, origins: withheld, outcome: 'started' })
    try {
      const out = await this.init.runner.run(
        withheldBase(set, withheld),
        params.timelockSquarings,
        control.signal,
      )
      const origins = set.members
        .filter((m) => withheld.includes(m.originHex))
        .map((m) => m.origin)
        .sort(compareOrigins)
      const recovery: Recovery = {
        commitsDigest: set.digest,
        withheld: origins,
        y: out.y,
        proof: out.proof,
      }
      const encoded = encodeRecovery({
        network: params.network,
        epoch: r,
        commitsDigest: set.digest,
        withheld: origins,
        y: encodeElement(out.y),
        proof: encodeElement(out.proof),
      })
      const ms = Math.round(performance.now() - started)
      this.init.ingest.takeRecovery(beacon, recovery, encoded, { via: 'inject' })
      events.emit('beacon:recovering', { epoch: r, origins: withheld, outcome: 'done', ms })
      await this.init.publisher.publishRecovery(r, encoded)
    } catch (err) {
      const outcome = control.signal.aborted ? 'cancelled' : 'failed'
      if (outcome === 'failed') this.log.warn(`recovery of epoch ${r}: ${(err as Error).message}`)
      events.emit('beacon:recovering', { epoch: r, origins: withheld, outcome })
    } finally {
      this.running.delete(r)
    }
  }
}
