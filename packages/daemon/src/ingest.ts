import {
  agreement,
  decodeContribution,
  peerIdFromOrigin,
  toHex,
  type ValidationContext,
  type VerifiedContribution,
  type VerifiedVote,
  validateContribution,
  validateVote,
  verifyContribution,
} from '@alara/protocol'
import type { PeerId } from '@libp2p/interface'
import type { AlaraComponents } from './components.js'
import type { Via } from './events.js'
import type { Logger } from './logger.js'
import { ownedBytes, ownedContribution } from './owned.js'
import { STATE_LIMITS } from './state.js'

/**
 * The single receive path: every contribution and vote, from gossip or sync, is judged
 * here by @alara/protocol's validation and, when valid, stored, folded and announced.
 * One verdict vocabulary (accept / reject / ignore with the protocol's reason); gossip/
 * maps it to gossipsub's, sync counts it.
 */

export type IngestVerdict = 'accept' | 'reject' | 'ignore'

export type ContributionResult =
  | { verdict: 'accept'; v: VerifiedContribution }
  | { verdict: 'reject' | 'ignore'; reason: string }

export type VoteResult = { verdict: 'accept' } | { verdict: 'reject' | 'ignore'; reason: string }

export interface ReceiveOptions {
  via: Via
  /** the peer that sent it (gossip: the forwarder) */
  from?: PeerId
}

export class Ingest {
  private readonly log: Logger

  constructor(private readonly components: AlaraComponents) {
    this.log = components.logger('alara:ingest')
  }

  private context(viaRepair: boolean): ValidationContext {
    const { params, state, now } = this.components
    const replica = state.replica
    const nowMs = now()
    return {
      params,
      nowMs,
      seen: (idHex) => replica.has(idHex),
      countFor: (originHex, epoch) => replica.storedCountOf(originHex, epoch),
      isClosed: (epoch) => state.isClosed(epoch, nowMs),
      isFinal: (epoch) => replica.isFinal(epoch),
      viaRepair,
    }
  }

  /**
   * Validates and, when valid, stores and folds one encoded contribution. Sync (repair)
   * may fill epochs that are closed but not final; gossip may not.
   */
  contribution(data: Uint8Array, opts: ReceiveOptions): ContributionResult {
    const { state, store, events, now } = this.components
    const viaRepair = opts.via === 'sync'
    const result = validateContribution(data, this.context(viaRepair))
    if (result.verdict !== 'accept') {
      // Health tests run before the signature check (they are cheaper); count a failure
      // against an origin only when the origin really signed it, or anyone could blame it.
      if (result.reason === 'HEALTH_RCT' || result.reason === 'HEALTH_APT') {
        try {
          const { originHex, contribution } = verifyContribution(decodeContribution(data))
          state.addHealthFailure(originHex, contribution.epoch)
        } catch {
          // forged: not counted (the reject already costs the sender its score)
        }
      }
      this.log.debug(
        () =>
          `contribution from ${opts.from?.toString() ?? opts.via}: ${result.verdict} ${result.reason}`,
      )
      events.emitLazy('contribution:refused', () => ({
        verdict: result.verdict,
        reason: result.reason,
        via: opts.via,
        ...(opts.from !== undefined ? { from: opts.from.toString() } : {}),
      }))
      return { verdict: result.verdict, reason: result.reason }
    }
    // kept: copies, so no view pins the frame it came in (owned.ts)
    const v = ownedContribution(result.contribution)
    const receivedMs = now()
    if (state.replica.add(v, receivedMs) === 'added') {
      const epoch = v.contribution.epoch
      const encoded = ownedBytes(data)
      if (viaRepair) state.addRepaired({ idHex: v.idHex, epoch, encoded })
      else store.queueContribution(v.idHex, epoch, encoded)
      const folded = state.replica.isFolded(v.idHex)
      if (state.closed.has(epoch)) {
        state.digestChanged.add(epoch)
        if (folded) events.emit('digest:changed', { epoch })
      }
      this.announce(v, receivedMs, opts.via, folded)
    }
    return { verdict: 'accept', v }
  }

  /** Reports a contribution added to the replica (received, or signed here). */
  announce(v: VerifiedContribution, receivedMs: number, via: Via, folded: boolean): void {
    this.components.events.emitLazy(folded ? 'contribution:folded' : 'contribution:stored', () => ({
      idHex: v.idHex,
      originHex: v.originHex,
      epoch: v.contribution.epoch,
      bitLength: v.contribution.bitLength,
      timestampMs: v.contribution.timestampMs,
      receivedMs,
      via,
    }))
  }

  /** Validates and records a vote; one that disagrees with a closed epoch asks for repair. */
  vote(data: Uint8Array, opts: ReceiveOptions): VoteResult {
    const { params, state, store, events, now } = this.components
    const result = validateVote(data, {
      params,
      nowMs: now(),
      oldestEpoch: state.replica.oldestRetainedEpoch,
      votesFrom: (originHex, epoch) => state.votesAccepted.countOf(originHex, epoch),
      maxVotesPerOrigin: STATE_LIMITS.votesPerOriginEpoch,
    })
    if (result.verdict !== 'accept') {
      this.log.debug(
        () => `vote from ${opts.from?.toString() ?? opts.via}: ${result.verdict} ${result.reason}`,
      )
      events.emitLazy('vote:refused', () => ({
        verdict: result.verdict,
        reason: result.reason,
        via: opts.via,
        ...(opts.from !== undefined ? { from: opts.from.toString() } : {}),
      }))
      return { verdict: result.verdict, reason: result.reason }
    }
    const v = result.vote
    const r = v.vote.epoch
    const before = this.consensusWatched(r) ? this.consensusOf(r) : undefined
    if (state.recordVote(v, data) !== 'stale') {
      void store.putVote(r, v.originHex, data).catch((err: Error) => {
        this.log.warn(`store: vote not saved (${err.message})`)
      })
      this.checkAgainstMine(v)
      events.emitLazy('vote:received', () => ({
        originHex: v.originHex,
        epoch: r,
        digestHex: toHex(v.vote.digest),
        count: v.vote.count,
        via: opts.via,
      }))
      if (before !== undefined) {
        const after = this.consensusOf(r)
        if (after.status !== before.status || after.agreement !== before.agreement)
          events.emit('consensus:changed', { epoch: r, ...after })
      }
    }
    return { verdict: 'accept' }
  }

  /** A peer's vote for an epoch I closed that differs from my digest: repair from it. */
  private checkAgainstMine(v: VerifiedVote): void {
    const { state, selfHex, events } = this.components
    const r = v.vote.epoch
    if (v.originHex === selfHex || !state.closed.has(r) || state.replica.isFinal(r)) return
    if (toHex(v.vote.digest) === toHex(state.replica.digest(r))) return
    events.emit('repair:needed', {
      epoch: r,
      peerId: peerIdFromOrigin(v.vote.origin).toString(),
      digestHex: toHex(v.vote.digest),
    })
  }

  private consensusWatched(r: number): boolean {
    return (
      this.components.state.closed.has(r) &&
      this.components.events.listenerCount('consensus:changed') > 0
    )
  }

  private consensusOf(r: number): { status: string; agreement: number } {
    const { state, trust, selfHex, params, now } = this.components
    const result = agreement({
      myDigest: state.replica.digest(r),
      votes: state.votes.votesOf(r),
      selfHex,
      trustOf: (originHex) => trust.lookup(originHex, selfHex),
      closed: state.isClosed(r, now()),
      params,
    })
    return { status: result.status, agreement: result.agreement }
  }
}
