import type { Connection, Libp2p, PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { AlaraComponents, Startable } from '../../components.js'
import type { Logger } from '../../util/logger.js'
import { isRelayed } from './connection-kind.js'
import {
  type AddressFact,
  isPublicDirect,
  type Reachability,
  reachabilityOf,
} from './reachability.js'

/**
 * Follows this node's reachability (reachability.ts) and, the first time it is private,
 * takes reservations on relays among its bootstrap peers (`relayReservations` of them):
 * libp2p's circuit relay transport then announces the relayed addresses, and peers
 * dial it through the relay. A public node, a relay, or a node with no bootstrap list
 * takes none. Reservations last while the node runs: a relay that goes away is replaced
 * by another bootstrap relay when one is there.
 *
 * While the node holds a relayed address it asks the DHT for the peers closest to
 * itself, at once and then less and less often (checkRelayed): the relay answers with
 * the members it knows, relayed addresses included, and the peer service dials them
 * (libp2p reports them as discovered). Without this a member would find the other LANs'
 * members only at the DHT's next self-query (5 minutes).
 */

/** Reachability is looked at on every address or connection change, and this often. */
const CHECK_MS = 5000
/** a DHT lookup for the peers near this node, while it holds a relayed address */
const LOOKUP_MS = 30_000
/** the second lookup this long after the first, then twice as long each time, at most */
const LOOKUP_FIRST_GAP_MS = 10_000
const LOOKUP_MAX_GAP_MS = 5 * 60_000

export interface ReachabilityView {
  reachability: Reachability
  /** wall-clock ms of the last change (the start when it never changed) */
  sinceMs: number
  /** relayed addresses this node announces (its reservations) */
  relayedAddresses: string[]
}

/** The relay protocol a relay's peers open to take a reservation. */
const HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'
/** a private node still without a reservation asks its bootstrap relays again this often */
const NUDGE_MS = 15_000

/** The circuit relay transport's reservation store (@libp2p/circuit-relay-v2 4.x). */
interface ReservationStore {
  addRelay(peer: PeerId, type: 'discovered'): Promise<unknown>
}

/** The parts of libp2p's internal components read here (libp2p 3's `components`). */
interface Internals {
  addressManager?: { getAddressesWithMetadata(): AddressFact[] }
  transportManager?: {
    listen(addrs: ReturnType<typeof multiaddr>[]): Promise<void>
    getTransports(): Array<{ reservationStore?: ReservationStore }>
  }
}

function internalsOf(libp2p: Libp2p): Internals {
  return (libp2p as unknown as { components?: Internals }).components ?? {}
}

export class ReachabilityService implements Startable {
  private readonly log: Logger
  private readonly abort = new AbortController()
  private timer: NodeJS.Timeout | undefined
  private current: Reachability = 'unknown'
  private since: number
  private reserved = false
  private relayed = false
  private lookup: AbortController | undefined
  private nextLookup = 0
  private lastNudge = 0
  private lookupGap = LOOKUP_FIRST_GAP_MS

  constructor(private readonly components: AlaraComponents) {
    this.log = components.logger('alara:nat')
    this.since = components.now()
  }

  start(): void {
    const { libp2p } = this.components
    const signal = this.abort.signal
    const check = () => this.check()
    libp2p.addEventListener('self:peer:update', check, { signal })
    libp2p.addEventListener('connection:open', check, { signal })
    libp2p.addEventListener('connection:close', check, { signal })
    this.timer = setInterval(check, CHECK_MS)
    this.timer.unref()
    this.check()
  }

  stop(): void {
    this.abort.abort()
    this.lookup?.abort()
    if (this.timer !== undefined) clearInterval(this.timer)
  }

  view(): ReachabilityView {
    return {
      reachability: this.current,
      sinceMs: this.since,
      relayedAddresses: this.components.libp2p
        .getMultiaddrs()
        .map((ma) => ma.toString())
        // a relay hands out its loopback address too: of no use to anyone else
        .filter((a) => a.includes('/p2p-circuit') && !a.startsWith('/ip4/127.')),
    }
  }

  private check(): void {
    this.checkRelayed()
    this.nudge()
    const { libp2p } = this.components
    const addresses = internalsOf(libp2p).addressManager?.getAddressesWithMetadata() ?? []
    const internet = libp2p
      .getConnections()
      .filter((c: Connection) => !isRelayed(c) && isPublicDirect(c.remoteAddr))
    const next = reachabilityOf({
      addresses,
      reachesInternet: internet.length > 0,
      dialledFromInternet: internet.some((c) => c.direction === 'inbound'),
    })
    if (next === this.current) return
    this.log.info(`reachability: ${next} (was ${this.current})`)
    this.log.debug(
      () =>
        `reachability from: ${internet.length} direct connection(s) to public addresses; addresses ${addresses
          .map((a) => `${a.multiaddr.toString()} ${a.type}${a.verified ? ' verified' : ''}`)
          .join(', ')}`,
    )
    this.current = next
    this.since = this.components.now()
    if (next === 'private') this.reserve()
  }

  /**
   * While the node holds a relayed address: find the members that can be reached through
   * the relay. The first lookup runs at once; members that reserve at the same moment
   * are not in the relay's answers yet, so it is repeated after LOOKUP_FIRST_GAP_MS,
   * doubling up to LOOKUP_MAX_GAP_MS, and starts over when a relayed address is gained
   * again.
   */
  private checkRelayed(): void {
    const relayed = this.view().relayedAddresses.length > 0
    const gained = relayed && !this.relayed
    this.relayed = relayed
    const now = this.components.now()
    if (gained) {
      this.lookupGap = LOOKUP_FIRST_GAP_MS
      this.nextLookup = now
    }
    if (!relayed || this.lookup !== undefined || now < this.nextLookup) return
    this.nextLookup = now + this.lookupGap
    this.lookupGap = Math.min(2 * this.lookupGap, LOOKUP_MAX_GAP_MS)
    const lookup = new AbortController()
    this.lookup = lookup
    const signal = AbortSignal.any([lookup.signal, AbortSignal.timeout(LOOKUP_MS)])
    const self = this.components.peerId.toMultihash().bytes
    void (async () => {
      try {
        let found = 0
        for await (const _ of this.components.libp2p.peerRouting.getClosestPeers(self, { signal }))
          found++
        this.log.debug(() => `relayed: the DHT named ${found} peer(s) near this node`)
      } catch (err) {
        this.log.debug(() => `relayed: DHT lookup: ${(err as Error).message}`)
      } finally {
        this.lookup = undefined
      }
    })()
  }

  /**
   * Private, reservations wanted, and still no relayed address: libp2p's relay search
   * offers a relay once per connection, so a reservation that failed (a timeout on a busy
   * relay or machine) is not tried again while that connection lasts. Ask the connected
   * bootstrap relays again, at most every NUDGE_MS.
   */
  private nudge(): void {
    const { libp2p, config } = this.components
    if (!this.reserved || this.current !== 'private') return
    if (this.view().relayedAddresses.length > 0) return
    const now = this.components.now()
    if (now - this.lastNudge < NUDGE_MS) return
    this.lastNudge = now
    const store = internalsOf(libp2p)
      .transportManager?.getTransports()
      .find((t) => t.reservationStore !== undefined)?.reservationStore
    if (store === undefined) return
    for (const peer of bootstrapPeers(config.bootstrap)) {
      if (libp2p.getConnections(peer).length === 0) continue
      void libp2p.peerStore
        .get(peer)
        .then((p) =>
          p.protocols.includes(HOP_PROTOCOL) ? store.addRelay(peer, 'discovered') : undefined,
        )
        .catch((err: Error) => this.log.debug(() => `relay reservation on ${peer}: ${err.message}`))
    }
  }

  /** Once: one `/p2p-circuit` listener per wanted reservation (libp2p's relay search). */
  private reserve(): void {
    const { config, libp2p } = this.components
    if (this.reserved || config.relay) return
    if (config.relayReservations === 0 || config.bootstrap.length === 0) return
    const listen = internalsOf(libp2p).transportManager?.listen
    if (listen === undefined) return
    this.reserved = true
    // never more than there are bootstrap peers to ask: a reservation still wanted keeps
    // libp2p's relay search walking the DHT
    const count = Math.min(config.relayReservations, config.bootstrap.length)
    const wanted = Array.from({ length: count }, () => multiaddr('/p2p-circuit'))
    this.log.info(`private: taking ${wanted.length} relay reservation(s) among the bootstrap peers`)
    listen
      .call(internalsOf(libp2p).transportManager, wanted)
      .catch((err: Error) => this.log.warn(`relay reservations: ${err.message}`))
  }
}

function bootstrapPeers(bootstrap: string[]): PeerId[] {
  const out: PeerId[] = []
  for (const entry of bootstrap) {
    const id = multiaddr(entry)
      .getComponents()
      .findLast((c) => c.name === 'p2p')?.value
    if (id !== undefined) out.push(peerIdFromString(id))
  }
  return out
}
