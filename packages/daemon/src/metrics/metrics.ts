import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { AlaraEventBus } from '../events.js'

/**
 * ALARA's Prometheus metrics, fed from the event bus (events.ts) and read from the node's
 * state at scrape time, never incremented from inside the services. Names follow the
 * Prometheus conventions (`_total` counters, base units: seconds, bits); every one is
 * listed in docs/OPERATIONS.md.
 */

export interface MetricsSource {
  events: AlaraEventBus
  /** credited entropy of the pool, in bits */
  creditBits(): number
  /** the epoch of the clock now */
  currentEpoch(): number
  /** connected peers, as peer id strings */
  connectedPeers(): string[]
  /**
   * Whether a peer is a member of this node's network (membership, issue 8). Until
   * membership exists every connected peer counts as a member.
   */
  isMember?(peerId: string): boolean
}

/** Inject latency: a publish to a handful of peers, milliseconds to seconds. */
const INJECT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
/** Publish to fold across the mesh: tens of ms on a LAN, seconds when loaded. */
const PROPAGATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

export class AlaraMetrics {
  private readonly offs: Array<() => void> = []
  /** the last consensus status seen per closed, non-final epoch */
  private readonly statusOf = new Map<number, string>()
  private latestClosed = -1
  private lastAgreed = -1

  readonly contributions: Counter<'verdict' | 'reason'>
  readonly votes: Counter<'verdict' | 'reason'>
  readonly foldedContributions: Counter
  readonly foldedBits: Counter
  readonly epochs: Counter<'status'>
  readonly lastAgreedEpoch: Gauge
  readonly agreement: Gauge
  readonly repairs: Counter<'outcome'>
  readonly repairsNeeded: Counter
  readonly syncServed: Counter<'kind' | 'status'>
  readonly injectSeconds: Histogram
  readonly propagationSeconds: Histogram

  constructor(
    registry: Registry,
    private readonly source: MetricsSource,
  ) {
    const registers = [registry]
    this.contributions = new Counter({
      name: 'alara_contributions_total',
      help: 'Contributions received, by verdict (accept, reject, ignore) and reason (folded, stored = kept unfolded, or why refused)',
      labelNames: ['verdict', 'reason'],
      registers,
    })
    this.votes = new Counter({
      name: 'alara_votes_total',
      help: 'Votes received, by verdict (accept, reject, ignore) and reason (recorded, or why refused)',
      labelNames: ['verdict', 'reason'],
      registers,
    })
    this.foldedContributions = new Counter({
      name: 'alara_folded_contributions_total',
      help: 'Contributions folded into the pool',
      registers,
    })
    this.foldedBits = new Counter({
      name: 'alara_folded_bits_total',
      help: 'Bits of the contributions folded into the pool',
      registers,
    })
    new Gauge({
      name: 'alara_credited_entropy_bits',
      help: 'Entropy credited to the pool (sum over folded contributions of trust times bits, capped at the pool size)',
      registers,
      collect() {
        this.set(source.creditBits())
      },
    })
    new Gauge({
      name: 'alara_current_epoch',
      help: 'The epoch of the clock now',
      registers,
      collect() {
        this.set(source.currentEpoch())
      },
    })
    this.lastAgreedEpoch = new Gauge({
      name: 'alara_last_agreed_epoch',
      help: 'The newest closed epoch whose consensus was agreed (-1 before the first)',
      registers,
    })
    this.lastAgreedEpoch.set(-1)
    this.agreement = new Gauge({
      name: 'alara_latest_epoch_agreement_ratio',
      help: 'Agreement (0..1, trust-weighted) of the newest closed epoch',
      registers,
    })
    this.epochs = new Counter({
      name: 'alara_epochs_total',
      help: 'Epochs this node closed and then made final, by their consensus status at that moment (agreed, split, pending, alone)',
      labelNames: ['status'],
      registers,
    })
    const isMember = source.isMember ?? (() => true)
    new Gauge({
      name: 'alara_peers_connected',
      help: 'Connected peers, by kind (member of this network or stranger); every peer counts as a member until membership (issue 8) lands',
      labelNames: ['kind'],
      registers,
      collect() {
        let members = 0
        const peers = source.connectedPeers()
        for (const peer of peers) if (isMember(peer)) members++
        this.set({ kind: 'member' }, members)
        this.set({ kind: 'stranger' }, peers.length - members)
      },
    })
    this.repairs = new Counter({
      name: 'alara_repair_jobs_total',
      help: 'Repair jobs run (fetching an epoch from a peer whose vote differs), by outcome (ok, failed, timeout)',
      labelNames: ['outcome'],
      registers,
    })
    this.repairsNeeded = new Counter({
      name: 'alara_repairs_needed_total',
      help: 'Times a peer vote differed from this node for a closed epoch (a repair was asked for)',
      registers,
    })
    this.syncServed = new Counter({
      name: 'alara_sync_requests_served_total',
      help: 'Sync requests answered to peers, by kind (summaries, ids, contributions, malformed) and status',
      labelNames: ['kind', 'status'],
      registers,
    })
    this.injectSeconds = new Histogram({
      name: 'alara_inject_duration_seconds',
      help: 'Time to sign, store, fold and publish one inject',
      buckets: INJECT_BUCKETS,
      registers,
    })
    this.propagationSeconds = new Histogram({
      name: 'alara_propagation_seconds',
      help: "Publish to fold: a gossiped contribution's signed timestamp to its arrival here (clock skew included)",
      buckets: PROPAGATION_BUCKETS,
      registers,
    })
  }

  /** Subscribes to the bus; `stop()` unsubscribes. */
  start(): void {
    const { events } = this.source
    this.offs.push(
      events.on('contribution:folded', (e) => {
        this.contributions.inc({ verdict: 'accept', reason: 'folded' })
        this.foldedContributions.inc()
        this.foldedBits.inc(e.bitLength)
        if (e.via === 'gossip')
          this.propagationSeconds.observe(Math.max(0, e.receivedMs - e.timestampMs) / 1000)
      }),
      events.on('contribution:stored', () =>
        this.contributions.inc({ verdict: 'accept', reason: 'stored' }),
      ),
      events.on('contribution:refused', (e) =>
        this.contributions.inc({ verdict: e.verdict, reason: e.reason }),
      ),
      events.on('vote:received', () => this.votes.inc({ verdict: 'accept', reason: 'recorded' })),
      events.on('vote:refused', (e) => this.votes.inc({ verdict: e.verdict, reason: e.reason })),
      events.on('consensus:changed', (e) => {
        this.statusOf.set(e.epoch, e.status)
        if (e.epoch >= this.latestClosed) {
          this.latestClosed = e.epoch
          this.agreement.set(e.agreement)
        }
        if (e.status === 'agreed' && e.epoch > this.lastAgreed) {
          this.lastAgreed = e.epoch
          this.lastAgreedEpoch.set(e.epoch)
        }
      }),
      events.on('epoch:final', (e) => {
        // only epochs this node closed (a restart's back-filled epochs have no status)
        const status = this.statusOf.get(e.epoch)
        if (status !== undefined) this.epochs.inc({ status })
        // statuses of final epochs are no longer needed: the map stays as small as the window
        for (const r of this.statusOf.keys()) if (r <= e.epoch) this.statusOf.delete(r)
      }),
      events.on('repair:needed', () => this.repairsNeeded.inc()),
      events.on('repair:done', (e) => this.repairs.inc({ outcome: e.outcome })),
      events.on('sync:served', (e) => this.syncServed.inc({ kind: e.kind, status: e.status })),
      events.on('inject:done', (e) => this.injectSeconds.observe(e.ms / 1000)),
    )
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off()
  }
}
