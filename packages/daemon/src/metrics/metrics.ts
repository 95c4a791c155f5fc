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
/** A recovery: T squarings, ~90 s in JS at the default T, milliseconds at a test's small T. */
const RECOVERY_BUCKETS = [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800]

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
  readonly beaconEpochs: Counter<'status'>
  readonly beaconCommits: Counter
  readonly beaconRefused: Counter<'kind' | 'verdict' | 'reason'>
  readonly beaconWithheld: Counter
  readonly beaconEquivocations: Counter
  readonly beaconRecoveries: Counter<'outcome'>
  readonly beaconRecoverySeconds: Histogram

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
    this.beaconEpochs = new Counter({
      name: 'alara_beacon_epochs_total',
      help: 'Epochs whose shared beacon (version 2) settled here, by status: revealed, recovered, or none (the commit set froze empty)',
      labelNames: ['status'],
      registers,
    })
    this.beaconCommits = new Counter({
      name: 'alara_beacon_commits_total',
      help: "Members' commits (version 2) held here, this node's own included",
      registers,
    })
    this.beaconRefused = new Counter({
      name: 'alara_beacon_refused_total',
      help: 'Commits, reveals and recoveries (version 2) refused, by kind, verdict (reject, ignore) and reason',
      labelNames: ['kind', 'verdict', 'reason'],
      registers,
    })
    this.beaconWithheld = new Counter({
      name: 'alara_beacon_withheld_total',
      help: 'Members of a frozen commit set with no valid reveal when the recovery was due, summed over epochs',
      registers,
    })
    this.beaconEquivocations = new Counter({
      name: 'alara_beacon_equivocations_total',
      help: 'Origins found signing two commits for one epoch (left out of its commit set; both commits kept as evidence)',
      registers,
    })
    this.beaconRecoveries = new Counter({
      name: 'alara_beacon_recoveries_total',
      help: "Recoveries of withheld reveals this node ended, by outcome (done, cancelled: another member's came first, failed)",
      labelNames: ['outcome'],
      registers,
    })
    this.beaconRecoverySeconds = new Histogram({
      name: 'alara_beacon_recovery_seconds',
      help: 'Time this node took to recover an epoch (T squarings and the proof, in a worker thread)',
      buckets: RECOVERY_BUCKETS,
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
      events.on('beacon:commit', () => this.beaconCommits.inc()),
      events.on('beacon:refused', (e) =>
        this.beaconRefused.inc({ kind: e.kind, verdict: e.verdict, reason: e.reason }),
      ),
      events.on('beacon:frozen', (e) => {
        if (e.count === 0) this.beaconEpochs.inc({ status: 'none' })
      }),
      events.on('beacon:settled', (e) => this.beaconEpochs.inc({ status: e.status })),
      events.on('beacon:withheld', (e) => this.beaconWithheld.inc(e.origins.length)),
      events.on('beacon:equivocation', () => this.beaconEquivocations.inc()),
      events.on('beacon:recovering', (e) => {
        if (e.outcome === 'started') return
        this.beaconRecoveries.inc({ outcome: e.outcome })
        if (e.outcome === 'done' && e.ms !== undefined)
          this.beaconRecoverySeconds.observe(e.ms / 1000)
      }),
    )
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off()
  }
}
