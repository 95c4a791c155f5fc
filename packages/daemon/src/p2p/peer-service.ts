import { InvalidInputError } from '@alara/protocol'
import { KEEP_ALIVE, type PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import type { AlaraComponents, Startable } from '../components.js'
import { DialFailedError, NetworkKeyMismatchError } from '../errors.js'
import type { Logger } from '../util/logger.js'
import { keyRefusalOf, OnceSet } from './closed-network.js'
import type { Topics } from './gossip/topics.js'
import { isRelayed } from './nat/connection-kind.js'

/**
 * Peers: dialling what discovery reports, re-dialling the bootstrap list, joining a peer
 * by hand, and announcing connects and disconnects on the event bus.
 */

const BOOTSTRAP_REDIAL_MS = 5000
/** a peer reached only through a relay is dialled directly at most this often */
const DIRECT_RETRY_MS = 30_000

export interface PeersInit {
  topics: Topics
}

export class PeerService implements Startable {
  private readonly log: Logger
  private bootstrapTimer: NodeJS.Timeout | undefined
  private readonly abort = new AbortController()
  /** peers whose key refusal was logged: discovery retries every few seconds */
  private readonly refusedLogged = new OnceSet()
  /**
   * peers reached only through a relay: when a direct dial was last tried (bounded by
   * the connected peers: an entry goes when its peer disconnects)
   */
  private readonly directTried = new Map<string, number>()

  constructor(
    private readonly components: AlaraComponents,
    private readonly init: PeersInit,
  ) {
    this.log = components.logger('alara:peers')
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
      (evt) => {
        this.directTried.delete(evt.detail.toString())
        events.emit('peer:disconnected', { peerId: evt.detail.toString() })
      },
      { signal },
    )
    this.startBootstrapRedial()
  }

  stop(): void {
    this.abort.abort()
    if (this.bootstrapTimer !== undefined) clearInterval(this.bootstrapTimer)
  }

  /**
   * A peer connected only through a relay, discovered again with direct addresses (mDNS
   * on the LAN, or the DHT): dial those, at most every DIRECT_RETRY_MS. A limited
   * (relayed) connection is not reused by libp2p for such a dial.
   */
  private dialDirect(peer: PeerId, addrs: Multiaddr[]): void {
    const id = peer.toString()
    const now = this.components.now()
    const last = this.directTried.get(id)
    if (last !== undefined && now - last < DIRECT_RETRY_MS) return
    const direct = addrs
      .filter((a) => !a.getComponents().some((c) => c.name === 'p2p-circuit'))
      .map((a) =>
        a.getComponents().some((c) => c.name === 'p2p') ? a : a.encapsulate(`/p2p/${id}`),
      )
    if (direct.length === 0) return
    this.directTried.set(id, now)
    this.components.libp2p.dial(direct, { signal: AbortSignal.timeout(10_000) }).then(
      (conn) => this.log.debug(() => `${id}: direct at ${conn.remoteAddr.toString()}`),
      (err: Error) => this.log.debug(() => `${id}: no direct connection: ${err.message}`),
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
      this.log.debug(() => `dial ${peer} after ${via} failed: ${err.message}`)
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
