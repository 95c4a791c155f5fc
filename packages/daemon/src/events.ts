import { TypedEventEmitter } from '@libp2p/interface'

/**
 * The node's one event bus. Services emit where a thing happens and listen for what they
 * react to (sync listens to `repair:needed` and `peer:connected`); metrics, an SSE
 * stream, `alara watch` or a dashboard can subscribe the same way. Every detail is plain
 * JSON-able data: ids and digests as hex, peers as peer id strings, times in ms.
 */

/** How a message reached this node. */
export type Via = 'gossip' | 'sync' | 'inject'

export interface ContributionEvent {
  idHex: string
  originHex: string
  epoch: number
  bitLength: number
  timestampMs: number
  receivedMs: number
  via: Via
}

export interface RefusedEvent {
  verdict: 'reject' | 'ignore'
  reason: string
  via: Via
  /** the peer that forwarded it, when known */
  from?: string
}

export interface VoteEvent {
  originHex: string
  epoch: number
  digestHex: string
  count: number
  via: Via
}

export interface AlaraEvents {
  /** stored and folded into the pool */
  'contribution:folded': CustomEvent<ContributionEvent>
  /** stored but not folded (its origin has trust 0 or is inactive) */
  'contribution:stored': CustomEvent<ContributionEvent>
  'contribution:refused': CustomEvent<RefusedEvent>
  'vote:received': CustomEvent<VoteEvent>
  'vote:refused': CustomEvent<RefusedEvent>
  /** a closed, non-final epoch's digest moved (repair, trust): it will be voted again */
  'digest:changed': CustomEvent<{ epoch: number }>
  /** this node closed an epoch and voted */
  'epoch:closed': CustomEvent<{ epoch: number; digestHex: string; count: number }>
  /**
   * a closed epoch's consensus: at close (with the votes already here), then whenever a
   * vote moves its status or agreement
   */
  'consensus:changed': CustomEvent<{ epoch: number; status: string; agreement: number }>
  'epoch:final': CustomEvent<{
    epoch: number
    digestHex: string
    count: number
    beaconHex?: string
  }>
  /** a voter advertises `digestHex` for a closed epoch where this node has another */
  'repair:needed': CustomEvent<{ epoch: number; peerId: string; digestHex?: string }>
  /**
   * a back-filled epoch is final with no digest at the quorum of its heard voters: their
   * newest votes are asked again (a re-vote gossiped while this node was joining is missed)
   */
  'catch-up:wanted': CustomEvent<{ epoch: number; peerIds: string[] }>
  'repair:done': CustomEvent<{
    epoch: number
    peerId: string
    fetched: number
    outcome: 'ok' | 'failed' | 'timeout'
  }>
  'peer:connected': CustomEvent<{ peerId: string }>
  'peer:disconnected': CustomEvent<{ peerId: string }>
  /** `ms`: the whole inject (sign, synced write, publish); `publishedMs`: when the publish began */
  'inject:done': CustomEvent<{ ids: string[]; epoch: number; ms: number; publishedMs?: number }>
  /** this node answered a peer's sync request (`kind`: summaries, ids, contributions) */
  'sync:served': CustomEvent<{ peerId: string; kind: string; status: string }>
  /** a bound was reached (docs/OPERATIONS.md "Limits"): what was ignored, refused, closed */
  'limit:hit': CustomEvent<LimitHitEvent>
  /** version 2: a member's commit was held (`own`: this node's) */
  'beacon:commit': CustomEvent<{ epoch: number; originHex: string; idHex: string; via: Via }>
  /** version 2: a commit, reveal or recovery refused */
  'beacon:refused': CustomEvent<RefusedEvent & { kind: 'commit' | 'reveal' | 'recovery' }>
  /** version 2: epoch r's commit set C_r is frozen (count 0: no shared beacon for r) */
  'beacon:frozen': CustomEvent<{ epoch: number; commitsDigestHex: string; count: number }>
  /** version 2: an origin signed two commits for one epoch; both are the evidence */
  'beacon:equivocation': CustomEvent<{ epoch: number; originHex: string; commitIds: string[] }>
  /** version 2: members of C_r with no valid reveal when the recovery is due */
  'beacon:withheld': CustomEvent<{ epoch: number; origins: string[] }>
  /** version 2: this node starts (or ends) recovering epoch r's withheld reveals */
  'beacon:recovering': CustomEvent<{
    epoch: number
    origins: string[]
    outcome: 'started' | 'done' | 'cancelled' | 'failed'
    ms?: number
  }>
  /** version 2: Ω_r is known */
  'beacon:settled': CustomEvent<{
    epoch: number
    status: 'revealed' | 'recovered'
    beaconHex: string
    withheld: string[]
  }>
}

export interface LimitHitEvent {
  /** the limit's name, e.g. 'gossip-peer-rate', 'vote-origin-rate', 'sync-streams' */
  what: string
  /** the peer (or origin, hex) it was hit by, when there is one */
  peer?: string
  /** 'ignored' | 'refused' | 'closed' | 'dropped' */
  action: 'ignored' | 'refused' | 'closed' | 'dropped'
}

export type AlaraEventName = keyof AlaraEvents

// A record, so that the compiler insists every event is listed.
const EVENT_NAMES: Record<AlaraEventName, true> = {
  'contribution:folded': true,
  'contribution:stored': true,
  'contribution:refused': true,
  'vote:received': true,
  'vote:refused': true,
  'digest:changed': true,
  'epoch:closed': true,
  'consensus:changed': true,
  'epoch:final': true,
  'repair:needed': true,
  'catch-up:wanted': true,
  'repair:done': true,
  'peer:connected': true,
  'peer:disconnected': true,
  'inject:done': true,
  'sync:served': true,
  'limit:hit': true,
  'beacon:commit': true,
  'beacon:refused': true,
  'beacon:frozen': true,
  'beacon:equivocation': true,
  'beacon:withheld': true,
  'beacon:recovering': true,
  'beacon:settled': true,
}

/** Every event name (filters such as `?types=` of /v1/events check against it). */
export const ALARA_EVENT_NAMES = Object.keys(EVENT_NAMES) as readonly AlaraEventName[]

export function isAlaraEventName(name: string): name is AlaraEventName {
  return Object.hasOwn(EVENT_NAMES, name)
}

export type EventDetail<K extends AlaraEventName> =
  AlaraEvents[K] extends CustomEvent<infer D> ? D : never

export class AlaraEventBus extends TypedEventEmitter<AlaraEvents> {
  /** Dispatches `detail` as event `type` (a typed shorthand for safeDispatchEvent). */
  emit<K extends AlaraEventName>(type: K, detail: EventDetail<K>): void {
    this.safeDispatchEvent(type, { detail } as never)
  }

  /**
   * Dispatches only when someone listens: `detail` is built then and only then (a
   * refused gossip message costs nothing to report when nobody watches).
   */
  emitLazy<K extends AlaraEventName>(type: K, detail: () => EventDetail<K>): void {
    if (this.listenerCount(type) > 0) this.emit(type, detail())
  }

  /** Adds a listener for `type` and returns its removal. */
  on<K extends AlaraEventName>(type: K, listener: (detail: EventDetail<K>) => void): () => void {
    const handler = (evt: Event): void => listener((evt as CustomEvent<EventDetail<K>>).detail)
    this.addEventListener(type, handler as never)
    return () => this.removeEventListener(type, handler as never)
  }
}
