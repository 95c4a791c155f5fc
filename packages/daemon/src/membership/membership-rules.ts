import type { Multiaddr } from '@multiformats/multiaddr'
import ipaddr from 'ipaddr.js'

/**
 * Membership rules (docs/PROTOCOL.md, "Membership"): who counts, as pure decisions. The
 * state (manual and LAN entries) lives in the trust book; membership-service.ts turns libp2p's
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
