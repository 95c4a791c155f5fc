import { InvalidInputError } from '@alara/protocol'
import { KEEP_ALIVE, type PeerId, type PeerUpdate } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import type { AlaraComponents, Startable } from '../components.js'
import { DialFailedError, NetworkKeyMismatchError } from '../errors.js'
import { RateLimiter } from '../util/bounded/rate-limiter.js'
import type { Logger } from '../util/logger.js'
import { keyRefusalOf, OnceSet } from './closed-network.js'
import type { Topics } from './gossip/topics.js'
import { isRelayed } from './nat/connection-kind.js'

/**
 * Peers: dialling what discovery reports, re-dialling the bootstrap list, joining a peer
 * by hand, and announcing connects and disconnects on the event bus.
 */

const BOOTSTRAP_REDIAL_MS = 5000
/**
 * A known peer whose addresses changed is dialled again (when not connected, or reached
 * only through a relay) at most once in this long; 1,024 peers tracked, the least
 * recently dialled forgotten first.
 */
const REDIAL_MS = 30_000
const REDIAL_TRACKED = 1024

export interface PeersInit {
  topics: Topics
}

export class PeerService implements Startable {
  private readonly log: Logger
  private bootstrapTimer: NodeJS.Timeout | undefined
  private readonly abort = new AbortController()
  /** peers whose key refusal was logged: discovery retries every few seconds */
  private readonly refusedLogged = new OnceSet()
  /** redials of known peers whose addresses changed (REDIAL_MS, REDIAL_TRACKED) */
  private readonly redials: RateLimiter

  constructor(
    private readonly components: AlaraComponents,
    private readonly init: PeersInit,
  ) {
    this.log = components.logger('alara:peers')
    this.redials = new RateLimiter({
      ratePerSec: 1000 / REDIAL_MS,
      burst: 1,
      maxKeys: REDIAL_TRACKED,
      now: components.now,
    })
  }

  start(): void {
    const { libp2p, events } = this.components
    const signal = this.abort.signal
    // libp2p 3 does not dial what discovery finds: mDNS and the DHT only report peers.
    libp2p.addEventListener(
      'peer:discovery',
      (evt) => {
        const peer = evt.detail.id
        if (peer.equals(libp2p.peerId)) return
        const conns = libp2p.getConnections(peer)
        if (conns.length > 0) {
          // reached through a relay only: a LAN or public address found now is better
          if (conns.every((c) => isRelayed(c))) this.dialDirect(peer, evt.detail.multiaddrs)
          return
        }
        libp2p
          .dial(peer, { signal: AbortSignal.timeout(10_000) })
          .catch((err: Error) => this.dialFailed(peer.toString(), 'discovery', err))
      },
      { signal },
    )
    // libp2p reports a peer as discovered only the first time it enters the peer store: a
    // known peer that shows new addresses (its relayed one, found by the DHT; its LAN one,
    // by mDNS) is dialled here
    libp2p.addEventListener('peer:update', (evt) => this.addressesChanged(evt.detail), {
      signal,
    })
    libp2p.addEventListener(
      'peer:connect',
      (evt) => {
        this.refusedLogged.forget(evt.detail.toString())
        // libp2p dispatches peer:connect from inside its own connection:open listener,
        // before the membership service has seen that connection: announce the peer once
        // that dispatch is over, so catch-up finds a new LAN peer already a member
        const peerId = evt.detail.toString()
        queueMicrotask(() => events.emit('peer:connected', { peerId }))
      },
      { signal },
    )
    libp2p.addEventListener(
      'peer:disconnect',
      (evt) => events.emit('peer:disconnected', { peerId: evt.detail.toString() }),
      { signal },
    )
    this.startBootstrapRedial()
  }

  stop(): void {
    this.abort.abort()
    if (this.bootstrapTimer !== undefined) clearInterval(this.bootstrapTimer)
  }

  /**
   * A known peer's addresses changed: new ones of a peer not connected are dialled (all
   * its addresses, a relayed one included); new direct ones of a peer reached only
   * through a relay are dialled (libp2p does not reuse a limited connection for that).
   */
  private addressesChanged({ peer, previous }: PeerUpdate): void {
    const { libp2p } = this.components
    if (previous === undefined || peer.id.equals(libp2p.peerId)) return
    const before = new Set(previous.addresses.map((a) => a.multiaddr.toString()))
    const added = peer.addresses.map((a) => a.multiaddr).filter((ma) => !before.has(ma.toString()))
    if (added.length === 0) return
    const conns = libp2p.getConnections(peer.id)
    if (conns.length === 0) this.redial(peer.id, peer.id, 'new addresses')
    else if (conns.every((c) => isRelayed(c))) this.dialDirect(peer.id, added)
  }

  /** A peer reached only through a relay: dial its direct addresses among `addrs`. */
  private dialDirect(peer: PeerId, addrs: Multiaddr[]): void {
    const id = peer.toString()
    const direct = addrs
      .filter((a) => !a.getComponents().some((c) => c.name === 'p2p-circuit'))
      .map((a) =>
        a.getComponents().some((c) => c.name === 'p2p') ? a : a.encapsulate(`/p2p/${id}`),
      )
    if (direct.length > 0) this.redial(peer, direct, 'direct')
  }

  /** Dials `target` (the peer, or some of its addresses), once per REDIAL_MS a peer. */
  private redial(peer: PeerId, target: PeerId | Multiaddr[], why: string): void {
    const id = peer.toString()
    if (!this.redials.take(id)) return
    this.components.libp2p.dial(target, { signal: AbortSignal.timeout(10_000) }).then(
      (conn) => this.log.debug(() => `${id} (${why}): connected at ${conn.remoteAddr.toString()}`),
      (err: Error) => this.dialFailed(id, why, err),
    )
  }

  /** The bootstrap module dials its list once; a LAN peer that restarts is dialled again. */
  private startBootstrapRedial(): void {
    const { libp2p, config } = this.components
    if (config.bootstrap.length === 0) return
    this.bootstrapTimer = setInterval(() => {
      for (const addr of config.bootstrap) {
        const ma = multiaddr(addr)
        const id = ma.getComponents().findLast((c) => c.name === 'p2p')?.value
        if (id === undefined || id === libp2p.peerId.toString()) continue
        if (libp2p.getConnections(peerIdFromString(id)).length > 0) continue
        libp2p
          .dial(ma, { signal: AbortSignal.timeout(5000) })
          .catch((err: Error) => this.dialFailed(id, 'bootstrap', err))
      }
    }, BOOTSTRAP_REDIAL_MS)
  }

  /**
   * A discovery or bootstrap dial that failed: a network-key refusal is worth telling the
   * operator (once per peer until it connects), anything else only at debug level.
   */
  private dialFailed(peer: string, via: string, err: Error): void {
    const refusal = keyRefusalOf(err, this.components.closed)
    if (refusal === undefined)
      this.log.debug(() => `dial ${peer} after ${via} failed: ${reasons(err)}`)
    else if (this.refusedLogged.first(peer)) this.log.info(`${peer} (${via}): ${refusal}`)
  }

  /** Dials a multiaddr by hand and keeps the peer (libp2p re-dials keep-alive peers). */
  async connect(ma: string): Promise<{ peerId: string; addresses: string[] }> {
    const { libp2p } = this.components
    let addr: ReturnType<typeof multiaddr>
    try {
      addr = multiaddr(ma)
    } catch (err) {
      throw new InvalidInputError(`'${ma}' is not a multiaddr: ${(err as Error).message}`)
    }
    let conn: Awaited<ReturnType<typeof libp2p.dial>>
    try {
      conn = await libp2p.dial(addr, { signal: AbortSignal.timeout(10_000) })
      // A peer joined by hand is one the user wants: libp2p re-dials keep-alive peers.
      await libp2p.peerStore.merge(conn.remotePeer, { tags: { [KEEP_ALIVE]: {} } })
    } catch (err) {
      const refusal = keyRefusalOf(err, this.components.closed)
      if (refusal !== undefined) throw new NetworkKeyMismatchError(refusal)
      throw new DialFailedError(`could not connect to ${ma}: ${(err as Error).message}`)
    }
    await this.waitForGossipPeer(conn.remotePeer, 3000)
    return { peerId: conn.remotePeer.toString(), addresses: [conn.remoteAddr.toString()] }
  }

  /**
   * A publish right after a dial, before the peer's subscription arrived, reaches nobody
   * (repair delivers it later). `connect` returns once the peer is a gossip peer, so an
   * inject that follows reaches it at once; a peer of another network never becomes one,
   * hence the bound.
   */
  async waitForGossipPeer(peer: PeerId, timeoutMs: number): Promise<void> {
    const pubsub = this.components.libp2p.services.pubsub
    const topic = this.init.topics.contributions
    const subscribed = () => pubsub.getSubscribers(topic).some((p) => p.equals(peer))
    if (subscribed()) return
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        pubsub.removeEventListener('subscription-change', check)
        resolve()
      }
      const check = () => {
        if (subscribed()) done()
      }
      const timer = setTimeout(done, timeoutMs)
      pubsub.addEventListener('subscription-change', check)
    })
  }
}

/** An error's message, and those of the errors it aggregates (one per address dialled). */
function reasons(err: Error): string {
  const inner = (err as { errors?: unknown }).errors
  if (!Array.isArray(inner) || inner.length === 0) return err.message
  return `${err.message}: ${inner.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`
}
