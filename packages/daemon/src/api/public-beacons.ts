import {
  AlaraError,
  decodeContribution,
  epochBeacon,
  epochDigest,
  fromHex,
  lastFinalEpoch,
  type ProtocolParams,
  type PublicBeaconAnswer,
  peerIdFromOrigin,
  type TimelockGenerator,
  toHex,
  verifyContribution,
} from '@alara/protocol'
import { storedEpochBeacon } from '../beacon/beacon-restore.js'
import { NotFoundError } from '../errors.js'
import type { BeaconRecords } from '../store/beacon-records.js'
import type { AlaraStore } from '../store/store.js'

/**
 * The read side of the public beacon API: final epochs only, as anyone may check them.
 * Everything is read back from the store (the record every final epoch leaves, within the
 * store's window) and proven again before it is served: a node never publishes what it
 * could not prove.
 * - Version 2 (the shared beacon Ω_r): the signed commits of the frozen set C_r, the
 *   signed reveals and the recovery, each signature checked again, then C_r's digest, the
 *   reveals' check, the recovery's proof and Ω_r recomputed (beacon-restore.ts, then
 *   EpochBeacon.computeOutcome with this network's h).
 * - Version 1 (the pool beacon): the frozen folded ids and the signed contributions, each
 *   decoded and verified, the digest and the beacon recomputed.
 * Answers whose Ω_r is settled (revealed, recovered, or no commits) never change and are
 * kept in a small cache; a pending one is recomputed on every ask.
 */

/** An answer of the public API (the type both sides of the wire share). */
export type PublicBeacon = PublicBeaconAnswer

export interface PublicBeaconDeps {
  params: ProtocolParams
  /** h = g^(2^T) for the network's T */
  timelock: Pick<TimelockGenerator, 'h'>
  selfHex: string
  store: Pick<AlaraStore, 'getFinal' | 'getContribution' | 'newestFinalWithIds'> & {
    beacon: Pick<BeaconRecords, 'records' | 'epochsFrom'>
  }
  now(): number
}

const CACHE_EPOCHS = 32
/** `latest` looks this many epochs back at most for one whose Ω_r is known. */
const LATEST_LOOKBACK = 64

/** True when the answer can no longer change (its Ω_r is settled): cache it for good. */
export function isSettled(answer: PublicBeacon): boolean {
  return answer.status !== 'pending'
}

export class PublicBeacons {
  private readonly cache = new Map<number, PublicBeacon>()

  constructor(private readonly deps: PublicBeaconDeps) {}

  /** Newest final epoch at this moment, if any. */
  lastFinal(): number | undefined {
    return lastFinalEpoch(this.deps.now(), this.deps.params)
  }

  /** The final epoch r; NotFoundError when it is not final, not held, or has no beacon at all. */
  async get(r: number): Promise<PublicBeacon> {
    const last = this.lastFinal()
    if (last === undefined || r > last)
      throw new NotFoundError(
        `epoch ${r} is not final yet (the newest final epoch is ${last ?? 'none'})`,
      )
    const hit = this.cache.get(r)
    if (hit !== undefined) return hit
    const ids = await this.deps.store.getFinal(r)
    const shared = await this.shared(r)
    if (ids === undefined && shared === undefined)
      throw new NotFoundError(
        `epoch ${r} is not held here: older than the store's window, or nothing was folded or committed`,
      )
    if (
      (ids === undefined || ids.length === 0) &&
      (shared === undefined || shared.status === 'none')
    )
      throw new NotFoundError(`epoch ${r} has no folded contributions and no commits, so no beacon`)
    const out: PublicBeacon = {
      epoch: r,
      ...(shared ?? NO_SHARED),
      ...(await this.pool(r, (ids ?? []).map(toHex).sort())),
    }
    if (isSettled(out)) {
      this.cache.set(r, out)
      if (this.cache.size > CACHE_EPOCHS) this.cache.delete(Math.min(...this.cache.keys()))
    }
    return out
  }

  /**
   * The newest final epoch whose Ω_r is known, or, where no member committed, that has a
   * pool beacon.
   */
  async latest(): Promise<PublicBeacon> {
    let atMost = this.lastFinal()
    if (atMost === undefined) throw new NotFoundError('no epoch is final yet, so no beacon')
    const shared = (await this.deps.store.beacon.epochsFrom(atMost - LATEST_LOOKBACK)).reverse()
    for (let step = 0; step < LATEST_LOOKBACK && atMost >= 0; step++) {
      const bound = atMost
      const pooled = await this.deps.store.newestFinalWithIds(bound)
      const committed = shared.find((r) => r <= bound)
      const r = Math.max(pooled ?? -1, committed ?? -1)
      if (r < 0) break
      const answer = await this.get(r).catch((err: unknown) => {
        if (err instanceof NotFoundError) return undefined
        throw err
      })
      if (answer?.beacon !== undefined) return answer
      if (answer?.status === 'none' && answer.poolBeacon !== undefined) return answer
      atMost = r - 1
    }
    throw new NotFoundError(
      'no final epoch with a known shared beacon (or, without commits, a pool beacon) yet',
    )
  }

  /** The final epoch covering unix time `timeMs`. */
  async at(timeMs: number): Promise<PublicBeacon> {
    return this.get(Math.floor(timeMs / this.deps.params.epochMs))
  }

  /** Version 2's part of epoch r, proven from its stored signed messages; none stored: undefined. */
  private async shared(r: number): Promise<SharedPart | undefined> {
    const held = await storedEpochBeacon(this.deps, r)
    if (held === undefined) return undefined
    const equivocating = held.commits.equivocations().map((e) => ({
      peerId: peerIdOf(e.originHex),
      commits: e.commits.map((c) => toHex(c.encoded)),
    }))
    const set = held.frozen
    if (set === undefined)
      // commits held but never frozen here (this node was away): nothing to prove yet
      return { ...NO_SHARED, status: held.commits.count > 0 ? 'pending' : 'none', equivocating }
    // the frozen set's own commits (an origin found equivocating after the freeze stays in it)
    const members = new Map(set.members.map((m) => [m.originHex, m.c]))
    const commitOf = new Map(
      held.commits
        .all()
        .filter((c) => members.get(c.originHex) === c.c)
        .map((c) => [c.originHex, c.encoded]),
    )
    const commits: string[] = []
    const reveals: string[] = []
    for (const m of set.members) {
      commits.push(toHex(commitOf.get(m.originHex) as Uint8Array))
      const reveal = held.reveals.get(m.originHex)
      if (reveal !== undefined) reveals.push(toHex(reveal.encoded))
    }
    if (set.members.length === 0) return { ...NO_SHARED, status: 'none', equivocating }
    const base = { commitsDigest: toHex(set.digest), commits, reveals, equivocating }
    const outcome = held.computeOutcome(this.deps.timelock.h)
    const recovery = held.recovery === undefined ? {} : { recovery: toHex(held.recovery.encoded) }
    if (outcome === undefined || outcome.status === 'pending')
      return {
        ...base,
        status: 'pending',
        withheld: (outcome?.withheld ?? held.withheld()).map(peerIdOf),
      }
    return {
      ...base,
      ...(outcome.status === 'recovered' ? recovery : {}),
      beacon: toHex(outcome.beacon),
      status: outcome.status,
      withheld: outcome.withheld.map(peerIdOf),
    }
  }

  /** Version 1's part: the pool beacon recomputed from the stored signed contributions. */
  private async pool(r: number, idHexes: string[]): Promise<PoolPart> {
    const network = this.deps.params.network
    const ids: Uint8Array[] = []
    const bits: Uint8Array[] = []
    const contributions: string[] = []
    for (const idHex of idHexes) {
      const bytes = await this.deps.store.getContribution(r, idHex)
      if (bytes === undefined)
        throw new AlaraError(
          'ERR_CORRUPT_STORE',
          `contribution ${idHex} of final epoch ${r} is not stored`,
        )
      const v = verifyContribution(decodeContribution(bytes))
      if (v.idHex !== idHex || v.contribution.epoch !== r || v.contribution.network !== network)
        throw new AlaraError(
          'ERR_CORRUPT_STORE',
          `stored contribution ${idHex} is not what it claims`,
        )
      ids.push(v.id)
      bits.push(v.contribution.bits)
      contributions.push(toHex(bytes))
    }
    const digest = epochDigest(network, r, ids)
    return {
      ...(ids.length > 0 ? { poolBeacon: toHex(epochBeacon(network, r, digest, bits)) } : {}),
      digest: toHex(digest),
      count: ids.length,
      contributions,
    }
  }
}

type SharedPart = Pick<
  PublicBeacon,
  | 'beacon'
  | 'status'
  | 'commitsDigest'
  | 'commits'
  | 'reveals'
  | 'recovery'
  | 'withheld'
  | 'equivocating'
>
type PoolPart = Pick<PublicBeacon, 'poolBeacon' | 'digest' | 'count' | 'contributions'>

const NO_SHARED: SharedPart = {
  status: 'none',
  commits: [],
  reveals: [],
  withheld: [],
  equivocating: [],
}

const peerIdOf = (originHex: string): string => peerIdFromOrigin(fromHex(originHex)).toString()
