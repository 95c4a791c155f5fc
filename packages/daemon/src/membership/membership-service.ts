import type { Connection } from '@libp2p/interface'
import type { AlaraComponents, Startable } from '../components.js'
import type { Logger } from '../util/logger.js'
import { isDirectLanAddress } from './membership-rules.js'
import { originHexOf } from './trust-book.js'

/**
 * Watches libp2p's connections: a peer that connects directly from the LAN becomes an
 * automatic `lan` member at once (in memory, so gossip right behind the connection is
 * classified correctly), persisted in the background. Off on a closed network (everyone
 * is a member there) and with `lanMembers: false`.
 */
export class MembershipService implements Startable {
  private readonly log: Logger
  private readonly abort = new AbortController()

  constructor(private readonly components: AlaraComponents) {
    this.log = components.logger('alara:membership')
  }

  private get enabled(): boolean {
    return this.components.config.lanMembers && !this.components.closed
  }

  start(): void {
    if (!this.enabled) return
    const { libp2p } = this.components
    libp2p.addEventListener('connection:open', (evt) => this.consider(evt.detail), {
      signal: this.abort.signal,
    })
    // connections made before this service started (bootstrap at libp2p.start())
    for (const conn of libp2p.getConnections()) this.consider(conn)
  }

  stop(): void {
    this.abort.abort()
  }

  /** After `trust rm`: a peer still connected directly from the LAN is a `lan` member again. */
  reconsider(peerId: string): void {
    if (!this.enabled) return
    for (const conn of this.components.libp2p.getConnections())
      if (conn.remotePeer.toString() === peerId) this.consider(conn)
  }

  private consider(conn: Connection): void {
    if (conn.limits !== undefined || !isDirectLanAddress(conn.remoteAddr)) return
    const peerId = conn.remotePeer.toString()
    if (peerId === this.components.peerId.toString()) return
    let originHex: string
    try {
      originHex = originHexOf(peerId)
    } catch {
      return // not an Ed25519 peer: it can sign nothing we take
    }
    const added = this.components.trust.addLan(peerId, originHex)
    if (added === undefined) return
    void added.then(
      () => this.log.debug(() => `${peerId} is a LAN member (${conn.remoteAddr.toString()})`),
      (err: Error) => this.log.warn(`LAN member ${peerId}: ${err.message}`),
    )
  }
}
