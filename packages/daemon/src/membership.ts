import { type AgreementResult, agreement } from '@alara/protocol'
import type { Connection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import ipaddr from 'ipaddr.js'
import type { AlaraComponents, Startable } from './components.js'
import type { Logger } from './logger.js'
import { originHexOf } from './trust-book.js'

/**
 * Membership (docs/PROTOCOL.md, "Membership"): who counts. Pure decisions here; the state
 * (manual and LAN entries) lives in the trust book; the service below turns libp2p's
 * direct LAN connections into automatic `lan` entries.
 */

/** Where a trust-store entry came from: `alara trust set`, or a direct LAN connection. */
export type TrustSource = 'manual' | 'lan'

export interface MemberEntry {
  trust: number
  active: boolean
  source: TrustSource
}

/** How this node sorts one peer. */
export interface Standing {
  /** counted in consensus, folded, asked by repair and catch-up */
  member: boolean
  /** its contributions are taken (stored): members, and listed peers at trust 0 or inactive */
  admitted: boolean
  trust: number
  active: boolean
}

export interface MembershipPolicy {
  /** the node holds a network key: only key holders can connect, so all are members */
  closed: boolean
  defaultTrust: number
}

const SELF_STANDING: Standing = Object.freeze({
  member: true,
  admitted: true,
  trust: 1,
  active: true,
})

/**
 * A peer's standing: the node itself is a member at trust 1; a trust-store entry is a
 * member when its trust is > 0 and it is active, else it is only admitted (stored, not
 * folded, vote not counted); an unlisted peer is a member at defaultTrust on a closed
 * network, else a stranger (neither member nor admitted).
 */
export function standingOf(
  entry: MemberEntry | undefined,
  isSelf: boolean,
  policy: MembershipPolicy,
): Standing {
  if (isSelf) return SELF_STANDING
  if (entry !== undefined) {
    const member = entry.active && entry.trust > 0
    return { member, admitted: true, trust: entry.trust, active: entry.active }
  }
  if (policy.closed)
    return { member: true, admitted: true, trust: policy.defaultTrust, active: true }
  return { member: false, admitted: false, trust: policy.defaultTrust, active: true }
}

/**
 * True for a loopback, private (RFC 1918, fc00::/7) or link-local address. IPv4-mapped
 * IPv6 addresses are judged as the IPv4 address they carry.
 */
export function isLanIp(ip: string): boolean {
  if (!ipaddr.isValid(ip)) return false
  const range = ipaddr.process(ip).range()
  return (
    range === 'loopback' || range === 'private' || range === 'linkLocal' || range === 'uniqueLocal'
  )
}

/**
 * Whether a connection's remote address makes its peer a LAN member: a direct (not
 * relayed) connection whose first component is an IP address of the LAN (isLanIp).
 * A DNS name is not resolved here: it does not count.
 */
export function isDirectLanAddress(addr: Multiaddr): boolean {
  const components = addr.getComponents()
  if (components.some((c) => c.name === 'p2p-circuit')) return false
  const first = components[0]
  if (first === undefined || (first.name !== 'ip4' && first.name !== 'ip6')) return false
  // an IPv6 zone (fe80::1%eth0) is a separate component, so value is the bare address
  return first.value !== undefined && isLanIp(first.value)
}

/** Whether one more automatic LAN entry fits under maxMembers. */
export function lanRoomLeft(lanEntries: number, maxMembers: number): boolean {
  return lanEntries < maxMembers
}

/** Epoch r's agreement at this node: members' votes counted, strangers' listed. */
export function agreementAt(c: AlaraComponents, r: number): AgreementResult {
  return agreement({
    myDigest: c.state.replica.digest(r),
    votes: c.state.votes.votesOf(r),
    strangers: c.state.strangerVotes.votesOf(r),
    selfHex: c.selfHex,
    trustOf: (originHex) => c.trust.lookup(originHex, c.selfHex),
    isMember: (originHex) => c.trust.isMember(originHex),
    closed: c.state.isClosed(r, c.now()),
    params: c.params,
  })
}

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
