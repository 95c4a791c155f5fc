import type { Connection, Libp2p } from '@libp2p/interface'
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
 * Each time the node gains a relayed address it asks the DHT for the peers closest to
 * itself: the relay answers with the members it knows, relayed addresses included, and
 * the peer service dials them (libp2p reports them as discovered). Without this a member
 * would find the other LANs' members only at the DHT's next self-query (5 minutes).
 */

/** Reachability is looked at on every address or connection change, and this often. */
const CHECK_MS = 5000
/** a DHT lookup for the peers near this node, after a relayed address appeared */
const LOOKUP_MS = 30_000

export interface ReachabilityView {
  reachability: Reachability
  /** wall-clock ms of the last change (the start when it never changed) */
  sinceMs: number
  /** relayed addresses this node announces (its reservations) */
  relayedAddresses: string[]
}

/** The parts of libp2p's internal components read here (libp2p 3's `components`). */
interface Internals {
  addressManager?: { getAddressesWithMetadata(): AddressFact[] }
  transportManager?: { listen(addrs: ReturnType<typeof multiaddr>[]): Promise<void> }
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
    this.current = next
    this.since = this.components.now()
    if (next === 'private') this.reserve()
  }

  /** A relayed address appeared: find the members that can now be reached through it. */
  private checkRelayed(): void {
    const relayed = this.view().relayedAddresses.length > 0
    const gained = relayed && !this.relayed
    this.relayed = relayed
    if (!gained || this.lookup !== undefined) return
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
