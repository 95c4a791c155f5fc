import { hkdfSync, randomBytes } from 'node:crypto'
import {
  ALPHA_BYTES,
  admissionDeadlineMs,
  type CatchUpVoter,
  catchUpDecision,
  commitValue,
  compareOrigins,
  encodeCommit,
  encodeElement,
  encodeRecovery,
  encodeReveal,
  epochCloseMs,
  epochFinalMs,
  fromHex,
  type HeldCommit,
  HeldCommits,
  type Recovery,
  recoveryRankKey,
  requiredAgreement,
  signCommit,
  signReveal,
  toHex,
  withheldBase,
} from '@alara/protocol'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { AlaraComponents, Startable } from '../components.js'
import { MilestoneClock } from '../node/epoch-clock.js'
import { pagesOf, type SyncRequester } from '../sync/sync-client.js'
import type { Logger } from '../util/logger.js'
import type { AlphaStore } from './alpha-store.js'
import { type BeaconChange, BeaconIngest } from './beacon-ingest.js'
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

export interface BeaconPublisher {
  publishCommit(epoch: number, encoded: Uint8Array): Promise<void>
  publishReveal(epoch: number, encoded: Uint8Array): Promise<void>
  publishRecovery(epoch: number, encoded: Uint8Array): Promise<void>
}

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

/**
 * The recovery stagger when not configured: half the time one recovery of T squarings
 * takes here (BigInt squarings at ~250k/s on the reference machine, docs/BENCHMARKS.md,
 * plus ~10 % for the proof).
 */
export function defaultRecoveryStaggerMs(T: number): number {
  return Math.ceil((T * 1.1) / 250 / 2)
}

/** Commit-set fetches (epoch, digest) at once; more wait for a later vote. */
const MAX_FETCHES = 16

export class BeaconService implements Startable {
  private readonly log: Logger
  private readonly clock: MilestoneClock
  /** epoch → random offset (ms before the epoch's end) of this node's commit */
  private readonly commitOffsets = new Map<number, number>()
  /** epoch → enc c of the α prepared (kept in the repo) for the commit to come */
  private readonly prepared = new Map<number, Uint8Array>()
  private readonly recoveries = new Map<number, AbortController>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly fetching = new Set<string>()
  private stopping = new AbortController()

  constructor(
    private readonly components: AlaraComponents,
    private readonly init: BeaconServiceInit,
  ) {
    this.log = components.logger('alara:beacon')
    const { params } = components
    const tenth = Math.max(1, Math.floor(params.epochMs / 10))
    const offsetOf = (r: number): number => {
      let offset = this.commitOffsets.get(r)
      if (offset === undefined) {
        offset = 1 + Math.floor(Math.random() * tenth)
        this.commitOffsets.set(r, offset)
      }
      return offset
    }
    const freezeAt = (r: number): number => this.freezeAt(r)
    this.clock = new MilestoneClock(
      [
        {
          at: (r) => (r + 1) * params.epochMs - tenth - Math.min(tenth, 50),
          run: (r) => this.prepareCommit(r),
        },
        { at: (r) => (r + 1) * params.epochMs - offsetOf(r), run: (r) => this.commit(r) },
        { at: freezeAt, run: (r) => this.freeze(r) },
        { at: (r) => freezeAt(r) + params.graceMs, run: (r) => this.reveal(r) },
        { at: (r) => freezeAt(r) + 3 * params.graceMs, run: (r) => this.recoverDue(r) },
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
    for (const c of this.recoveries.values()) c.abort()
    this.recoveries.clear()
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
        void this.fetchSet(change.epoch, change.digestHex, [change.originHex])
        break
    }
  }

  /**
   * Step 1, first half, just before the epoch's last tenth: α from the private-draw state
   * and the OS CSPRNG (never reused), kept synced in the repo, and c = |g^α| (~10 ms of
   * squarings): done ahead, so that the commit itself is only a signature and a publish.
   */
  async prepareCommit(r: number): Promise<void> {
    const { state, params, selfHex, trust } = this.components
    if ((state.beacons.ifAny(r)?.commits.countOf(selfHex) ?? 0) > 0 || !trust.admits(selfHex))
      return
    const alpha = new Uint8Array(
      hkdfSync(
        'sha256',
        Buffer.concat([state.replica.drawState().poolState, randomBytes(32)]),
        randomBytes(32),
        `alara/v2/alpha/${params.network}/${r}`,
        ALPHA_BYTES,
      ),
    )
    await this.init.alphas.save(r, alpha)
    this.prepared.set(r, encodeElement(commitValue(alpha)))
  }

  /** Step 1, at a random moment of the last tenth: the signed commit, held and published. */
  async commit(r: number): Promise<void> {
    const { state, params, privateKey, selfHex, now } = this.components
    const c = this.prepared.get(r)
    for (const e of this.prepared.keys()) if (e <= r) this.prepared.delete(e)
    for (const e of this.commitOffsets.keys()) if (e <= r) this.commitOffsets.delete(e)
    if (c === undefined || state.beacons.of(r).commits.countOf(selfHex) > 0) return
    // A timer the event loop ran late (a busy machine) still commits until close, stamped
    // with the epoch's last millisecond: honest nodes receive it as any commit of r.
    const end = (r + 1) * params.epochMs
    const nowMs = now()
    if (nowMs >= epochCloseMs(r, params)) {
      this.log.info(`epoch ${r}: no commit, the clock came ${nowMs - end} ms after the epoch's end`)
      await this.init.alphas.remove(r)
      return
    }
    const timestampMs = Math.min(nowMs, end - 1)
    const commit = await signCommit(privateKey, {
      network: params.network,
      origin: fromHex(selfHex),
      epoch: r,
      c,
      timestampMs,
    })
    const encoded = encodeCommit(commit)
    const verdict = this.init.ingest.commit(encoded, { via: 'inject' })
    if (verdict.verdict !== 'accept') {
      this.log.warn(`own commit for epoch ${r} not held: ${verdict.reason}`)
      return
    }
    await this.init.publisher.publishCommit(r, encoded)
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
    await store.putCommitSet(r, ids)
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
    const { state, trust, selfHex, params, now } = this.components
    const beacon = state.beacons.of(r)
    if (beacon.frozen !== undefined || r < state.replica.oldestRetainedEpoch) return
    if (now() > epochFinalMs(r, params) + 2 * params.finalMs) return
    if (now() < this.freezeAt(r) || state.caughtUp.size === 0) {
      this.log.debug(() => `epoch ${r}: commit set to adopt, waiting for the freeze or a catch-up`)
      this.timeLater(() => this.adopt(r), params.graceMs)
      return
    }
    const voters: CatchUpVoter[] = []
    for (const v of state.votes.votesOf(r)) {
      if (v.originHex === selfHex || v.commitsDigest === undefined) continue
      const standing = trust.standing(v.originHex)
      if (!standing.member) continue
      voters.push({
        originHex: v.originHex,
        trust: standing.trust,
        digestHex: toHex(v.commitsDigest),
        heard: state.caughtUp.has(v.originHex),
      })
    }
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
        (await this.fetchSet(r, decision.digestHex, decision.from))
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

  /**
   * Fetches the commits behind a held-commits digest from its voters (in parallel, first
   * checked answer wins) and records them as that digest's set: after close they enter
   * with their round's vouchers. Returns the set, or undefined.
   */
  private async fetchSet(
    r: number,
    digestHex: string,
    voters: string[],
  ): Promise<HeldCommit[] | undefined> {
    const key = `${r}:${digestHex}`
    const { state, params, now, trust } = this.components
    if (this.fetching.has(key) || this.fetching.size >= MAX_FETCHES) return undefined
    const beacon = state.beacons.of(r)
    const known = beacon.commitsBehind(digestHex)
    if (known !== undefined) return known
    this.fetching.add(key)
    const until = state.backfill.has(r)
      ? params.finalMs
      : admissionDeadlineMs(epochCloseMs(r, params), params) - now()
    const signal = AbortSignal.any([
      this.stopping.signal,
      AbortSignal.timeout(Math.max(params.graceMs, until)),
    ])
    try {
      const asked = voters
        .filter((o) => trust.isMember(o))
        .slice(0, 8)
        .map((o) => this.askSet(peerIdFromString(BeaconIngest.peerOf(o)), r, digestHex, signal))
      const sets = await Promise.all(asked)
      return sets.find((s) => s !== undefined)
    } finally {
      this.fetching.delete(key)
    }
  }

  private async askSet(
    peer: PeerId,
    r: number,
    digestHex: string,
    signal: AbortSignal,
  ): Promise<HeldCommit[] | undefined> {
    const { params } = this.components
    const served: HeldCommit[] = []
    try {
      const req = {
        kind: 'beacon',
        network: params.network,
        epoch: r,
        digest: fromHex(digestHex),
      } as const
      for await (const page of pagesOf(this.init.request, peer, req, signal)) {
        for (const bytes of page.commits) {
          const commit = this.init.ingest.checkServedCommit(bytes)
          if (commit !== undefined) served.push(commit)
        }
        for (const bytes of page.reveals)
          this.init.ingest.reveal(bytes, { via: 'sync', from: peer })
        for (const bytes of page.recoveries)
          this.init.ingest.recovery(bytes, { via: 'sync', from: peer })
      }
    } catch (err) {
      if (this.stopping.signal.aborted) return undefined
      this.log.debug(
        () => `commits of epoch ${r} from ${peer.toString()}: ${(err as Error).message}`,
      )
      return undefined
    }
    return this.init.ingest.recordSet(r, digestHex, served) ? served : undefined
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
    await store.putReveal(r, selfHex, encoded)
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
    this.recoveries.get(r)?.abort()
    events.emit('beacon:settled', {
      epoch: r,
      status: outcome.status,
      beaconHex: toHex(outcome.beacon),
      withheld: outcome.withheld,
    })
  }

  /** Step 5: what is withheld at the freeze + 3 × graceMs is recovered, in rank order. */
  async recoverDue(r: number): Promise<void> {
    const { state, events, selfHex } = this.components
    const beacon = state.beacons.ifAny(r)
    const set = beacon?.frozen
    if (beacon === undefined || set === undefined || beacon.settled || set.members.length === 0)
      return
    this.combine(r)
    if (beacon.settled) return
    // A reveal gossip missed (a member that restarted, a mesh not formed yet) is asked
    // for first, of the withholders themselves and a few other members, within graceMs.
    await this.pullReveals(r, beacon.withheld())
    if (beacon.settled) return
    const withheld = beacon.withheld()
    if (withheld.length === 0) return
    events.emit('beacon:withheld', { epoch: r, origins: withheld })
    this.log.warn(`epoch ${r}: no valid reveal from ${withheld.join(', ')}: recovering`)
    const ranked = [...new Set([...set.members.map((m) => m.originHex), selfHex])]
      .map((hex) => ({ hex, key: toHex(recoveryRankKey(r, fromHex(hex))) }))
      .sort((a, b) => (a.key < b.key ? -1 : 1))
    const rank = ranked.findIndex((e) => e.hex === selfHex)
    this.timeLater(() => this.recover(r, withheld), rank * this.init.recoveryStaggerMs)
  }

  /** Epoch r's reveals and recovery from the withholders and up to 3 other members. */
  private async pullReveals(r: number, withheld: string[]): Promise<void> {
    const { libp2p, trust, params } = this.components
    const connected = libp2p.getPeers().filter((p) => trust.isMemberPeer(p.toString()))
    const wanted = new Set(withheld.map((o) => BeaconIngest.peerOf(o)))
    const first = connected.filter((p) => wanted.has(p.toString()))
    const others = connected.filter((p) => !wanted.has(p.toString())).slice(0, 3)
    const signal = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(2 * params.graceMs)])
    const req = { kind: 'beacon', network: params.network, epoch: r } as const
    await Promise.all(
      [...first, ...others].map(async (peer) => {
        try {
          for await (const page of pagesOf(this.init.request, peer, req, signal)) {
            for (const bytes of page.reveals)
              this.init.ingest.reveal(bytes, { via: 'sync', from: peer })
            for (const bytes of page.recoveries)
              this.init.ingest.recovery(bytes, { via: 'sync', from: peer })
          }
        } catch {
          // a member that does not answer in time: the recovery covers it
        }
      }),
    )
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
    this.recoveries.set(r, control)
    const started = performance.now()
    events.emit('beacon:recovering', { epoch: r, origins: withheld, outcome: 'started' })
    try {
      const x = withheldBase(set, withheld)
      const out = await this.init.runner.run(x, params.timelockSquarings, control.signal)
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
      this.recoveries.delete(r)
    }
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
