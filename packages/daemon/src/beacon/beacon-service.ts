import {
  admissionDeadlineMs,
  catchUpDecision,
  encodeReveal,
  epochCloseMs,
  epochFinalMs,
  fromHex,
  type HeldCommit,
  HeldCommits,
  requiredAgreement,
  signReveal,
  toHex,
} from '@alara/protocol'
import type { AlaraComponents, Startable } from '../components.js'
import { catchUpVoters } from '../node/consensus-view.js'
import { MilestoneClock } from '../node/epoch-clock.js'
import type { SyncRequester } from '../sync/sync-client.js'
import type { Logger } from '../util/logger.js'
import type { AlphaStore } from './alpha-store.js'
import type { BeaconChange, BeaconIngest } from './beacon-ingest.js'
import type { BeaconPublisher } from './beacon-publisher.js'
import { BeaconRecovery } from './beacon-recovery.js'
import { BeaconSync } from './beacon-sync.js'
import { OwnCommit } from './own-commit.js'
import type { RecoveryRunner } from './recovery-runner.js'

/**
 * The version-2 beacon's life cycle at a member (DESIGN.md "The shared beacon, version 2"),
 * on the clock: commit at a random moment of the epoch's last tenth (α kept synced in the
 * repo first), freeze C_r at the admission deadline, reveal at the freeze + graceMs,
 * combine as reveals arrive, and recover what is still withheld at the freeze + 3 ×
 * graceMs: in rank order (a node of rank k waits k × recoveryStaggerMs), in a worker
 * thread, stopped by a valid recovery from a peer. Commits a member voted and this node
 * lacks are fetched by sync (BEACON) and admitted in rounds; epochs this node did not see
 * freeze (it was away) take the commit set a trust quorum of the members heard voted.
 */

export interface BeaconServiceInit {
  ingest: BeaconIngest
  publisher: BeaconPublisher
  request: SyncRequester
  alphas: AlphaStore
  runner: RecoveryRunner
  /** rank k starts recovering k × this after the recovery is due */
  recoveryStaggerMs: number
  /** a re-vote of a closed epoch whose held commits changed (EpochService.commitRepairs) */
  revote(epoch: number): void
}

export class BeaconService implements Startable {
  private readonly log: Logger
  private readonly clock: MilestoneClock
  /** this node's commit (prepared, then sent) */
  readonly ownCommit: OwnCommit
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly sync: BeaconSync
  private readonly recovery: BeaconRecovery
  private stopping = new AbortController()

  constructor(
    private readonly components: AlaraComponents,
    private readonly init: BeaconServiceInit,
  ) {
    this.log = components.logger('alara:beacon')
    this.sync = new BeaconSync(components, init.ingest, init.request)
    this.recovery = new BeaconRecovery(components, {
      ingest: init.ingest,
      sync: this.sync,
      publisher: init.publisher,
      runner: init.runner,
      staggerMs: init.recoveryStaggerMs,
      later: (run, ms) => this.timeLater(run, ms),
    })
    const { params } = components
    const own = new OwnCommit(components, init)
    this.ownCommit = own
    const freezeAt = (r: number): number => this.freezeAt(r)
    this.clock = new MilestoneClock(
      [
        { at: (r) => own.prepareAt(r), run: (r) => own.prepare(r) },
        { at: (r) => own.commitAt(r), run: (r) => own.commit(r) },
        { at: freezeAt, run: (r) => this.freeze(r) },
        { at: (r) => freezeAt(r) + params.graceMs, run: (r) => this.reveal(r) },
        {
          at: (r) => freezeAt(r) + 3 * params.graceMs,
          run: (r) => {
            this.combine(r)
            return this.recovery.due(r, this.stopping.signal)
          },
        },
      ],
      Math.ceil(params.finalMs / params.epochMs) + 2,
      params.epochMs,
      (err) => this.log.error(`beacon clock: ${(err as Error).message}`),
      components.now,
    )
  }

  /** C_r freezes at r's admission deadline. */
  private freezeAt(r: number): number {
    return admissionDeadlineMs(epochCloseMs(r, this.components.params), this.components.params)
  }

  get ingest(): BeaconIngest {
    return this.init.ingest
  }

  start(): void {
    this.stopping = new AbortController()
    const { state, params, now } = this.components
    // epochs frozen before a restart (beacon-restore.ts) whose Ω_r is still to combine
    for (const r of state.beacons.epochs()) this.combine(r)
    // epochs that froze while this node was away, recent enough to still matter (their
    // reveals or recoveries may still come): adopted from the members' votes. Older ones
    // keep what was stored, or no Ω here.
    const recent = now() - params.finalMs - params.epochMs
    for (const r of state.backfill)
      if (this.freezeAt(r) <= now() && this.freezeAt(r) >= recent)
        this.timeLater(() => this.adopt(r), 0)
    this.clock.start()
    // α kept from before a restart: its epoch's reveal is still due (DESIGN.md: a crash
    // must not make an honest node a withholder)
    void this.revealKept().catch((err: Error) =>
      this.log.warn(`reveal after restart: ${err.message}`),
    )
  }

  async stop(): Promise<void> {
    this.stopping.abort()
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.recovery.stop()
    await this.clock.stop()
    await this.init.runner.stop()
  }

  /** What BeaconIngest reports: a re-vote, a combine, a fetch. */
  onChange(change: BeaconChange): void {
    const { state } = this.components
    switch (change.kind) {
      case 'commit':
        // the held set moved after close: say so again at once (admission's re-vote)
        if (
          state.closed.has(change.epoch) &&
          state.beacons.ifAny(change.epoch)?.frozen === undefined
        )
          this.init.revote(change.epoch)
        break
      case 'reveal':
      case 'recovery':
        this.combine(change.epoch)
        break
      case 'differs':
        void this.sync.fetchSet(
          change.epoch,
          change.digestHex,
          [change.originHex],
          this.stopping.signal,
        )
        break
    }
  }

  /** Step 2: C_r is what is held at the admission deadline (members, no equivocator). */
  async freeze(r: number): Promise<void> {
    const { state } = this.components
    // an epoch this node did not see close waits for catch-up's quorum (adopt)
    if (state.backfill.has(r) || !state.closed.has(r)) {
      this.timeLater(() => this.adopt(r), this.components.params.graceMs)
      return
    }
    await this.freezeWith(r, state.beacons.of(r).commits.all())
  }

  private isMember = (originHex: string): boolean =>
    originHex === this.components.selfHex || this.components.trust.isMember(originHex)

  /**
   * Freezes epoch r with C_r computed from exactly these commits (an origin with two among
   * them equivocated and is left out; members only), held here from now on.
   */
  private async freezeWith(r: number, commits: HeldCommit[]): Promise<void> {
    const { state, store, events, params } = this.components
    const beacon = state.beacons.of(r)
    if (beacon.frozen !== undefined) return
    for (const c of commits)
      if (!beacon.commits.has(c.idHex)) this.init.ingest.hold(beacon, c, 'sync')
    const chosen = new HeldCommits(params.network, r, commits.length + 1)
    for (const c of commits) chosen.add(c)
    const set = chosen.commitSet(params.timelockSquarings, this.isMember)
    beacon.frozen = set
    beacon.waiting.clear()
    const inSet = new Set(set.members.map((m) => m.originHex))
    const ids = commits.filter((c) => inSet.has(c.originHex)).map((c) => fromHex(c.idHex))
    await store.beacon.putCommitSet(r, ids)
    events.emit('beacon:frozen', {
      epoch: r,
      commitsDigestHex: toHex(set.digest),
      count: set.members.length,
    })
    this.init.ingest.takeEarlyRecovery(beacon)
    this.combine(r)
  }

  /**
   * An epoch this node did not freeze itself (it was away at its deadline): once the
   * members froze it, the commit set a trust quorum of the members heard voted, fetched
   * and checked against their digest; never a union. Tried again every graceMs while it
   * waits, until twice finalMs after the epoch is final: then its Ω stays unknown here.
   */
  private async adopt(r: number): Promise<void> {
    const { state, selfHex, params, now } = this.components
    const beacon = state.beacons.of(r)
    if (beacon.frozen !== undefined || r < state.replica.oldestRetainedEpoch) return
    if (now() > epochFinalMs(r, params) + 2 * params.finalMs) return
    if (now() < this.freezeAt(r) || state.caughtUp.size === 0) {
      this.log.debug(() => `epoch ${r}: commit set to adopt, waiting for the freeze or a catch-up`)
      this.timeLater(() => this.adopt(r), params.graceMs)
      return
    }
    const voters = catchUpVoters(this.components, r, (v) => v.commitsDigest)
    if (voters.length === 0) {
      // nobody voted commits: this node's own set (alone, or no member committed)
      if (state.votes.votesOf(r).some((v) => v.originHex !== selfHex))
        await this.adopted(r, beacon.commits.all())
      else this.timeLater(() => this.adopt(r), params.graceMs)
      return
    }
    const decision = catchUpDecision(
      voters,
      toHex(beacon.commits.heldDigest()),
      requiredAgreement(params.byzantineThreshold),
    )
    this.log.debug(() => `epoch ${r}: commit set catch-up decision ${decision.action}`)
    if (decision.action === 'keep') return this.adopted(r, beacon.commits.all())
    if (decision.action === 'adopt') {
      const behind =
        beacon.commitsBehind(decision.digestHex) ??
        (await this.sync.fetchSet(r, decision.digestHex, decision.from, this.stopping.signal))
      if (behind !== undefined) return this.adopted(r, behind)
    }
    this.timeLater(() => this.adopt(r), params.graceMs)
  }

  /** Freezes an adopted set; the own reveal follows at once when it is due already. */
  private async adopted(r: number, commits: HeldCommit[]): Promise<void> {
    await this.freezeWith(r, commits)
    if (this.components.now() >= this.freezeAt(r) + this.components.params.graceMs)
      await this.reveal(r)
  }

  /** Step 3: the own α, once C_r is frozen here, if the own commit is in it. */
  async reveal(r: number): Promise<void> {
    const { state, params, privateKey, selfHex, store } = this.components
    const beacon = state.beacons.ifAny(r)
    if (beacon?.frozen === undefined || beacon.revealed) return
    if (!beacon.frozen.members.some((m) => m.originHex === selfHex)) {
      await this.init.alphas.remove(r)
      return
    }
    const alpha = await this.init.alphas.load(r)
    if (alpha === undefined) {
      this.log.warn(`epoch ${r}: own commit frozen but its α is gone: it will be recovered`)
      return
    }
    const reveal = await signReveal(privateKey, {
      network: params.network,
      origin: fromHex(selfHex),
      epoch: r,
      alpha,
    })
    const encoded = encodeReveal(reveal)
    beacon.reveals.set(selfHex, { originHex: selfHex, alpha, encoded })
    beacon.revealed = true
    await store.beacon.putReveal(r, selfHex, encoded)
    await this.init.alphas.remove(r)
    await this.init.publisher.publishReveal(r, encoded)
    this.log.debug(() => `epoch ${r}: revealed`)
    this.combine(r)
  }

  /** Reveals due for α kept across a restart (epochs frozen, own reveal not sent). */
  private async revealKept(): Promise<void> {
    const { state, params, now } = this.components
    for (const r of await this.init.alphas.epochs()) {
      if (r < state.replica.oldestRetainedEpoch) continue
      const due = admissionDeadlineMs(epochCloseMs(r, params), params) + params.graceMs
      if (due <= now()) await this.reveal(r)
    }
    await this.init.alphas.pruneBefore(state.replica.oldestRetainedEpoch)
  }

  /** Step 4 and 6: Ω_r from the reveals (and a recovery), once they cover C_r. */
  combine(r: number): void {
    const { state, events } = this.components
    const beacon = state.beacons.ifAny(r)
    if (beacon === undefined || beacon.settled) return
    const outcome = beacon.computeOutcome(this.components.timelock.h)
    if (outcome === undefined || outcome.status === 'pending') return
    beacon.outcome = outcome
    this.recovery.cancel(r)
    events.emit('beacon:settled', {
      epoch: r,
      status: outcome.status,
      beaconHex: toHex(outcome.beacon),
      withheld: outcome.withheld,
    })
  }

  private timeLater(run: () => Promise<void> | void, ms: number): void {
    if (this.stopping.signal.aborted) return
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      Promise.resolve()
        .then(run)
        .catch((err: Error) => this.log.warn(`beacon: ${err.message}`))
    }, ms)
    this.timers.add(timer)
  }
}
