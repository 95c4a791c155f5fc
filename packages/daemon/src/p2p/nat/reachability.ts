import { isPrivate } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * Reachability (docs/OPERATIONS.md "Across the internet"), as a pure decision over what
 * libp2p's address manager knows. AutoNAT asks peers to dial this node's publicly
 * routable addresses back: one that answers makes the address verified, one refused by
 * enough peers makes it unverified for a while. A node whose addresses are all private
 * (behind a NAT, where a home router or an office gateway rewrites them) has nothing to
 * test: it is private as soon as it reaches a peer on the internet.
 */

export type Reachability = 'public' | 'private' | 'unknown'

/** One of this node's addresses, as libp2p's address manager reports it. */
export interface AddressFact {
  multiaddr: Multiaddr
  /** confirmed dialable (AutoNAT, UPnP, announce) or private (nothing to confirm) */
  verified: boolean
  /** 0 while never tested; after a refusal, when AutoNAT tries again */
  expires: number
  /**
   * where it comes from: `transport` (a listener's own address), `observed` (what peers
   * saw: behind a NAT, the router's), `ip-mapping` (UPnP), `announce`, `dns-mapping`
   */
  type: string
}

export interface ReachabilityInput {
  addresses: AddressFact[]
  /** a direct connection to a peer at a publicly routable address is open */
  reachesInternet: boolean
  /**
   * a peer at a publicly routable address dialled this node directly (not through a
   * relay) and the connection is open: proof enough that it can be reached
   */
  dialledFromInternet: boolean
}

/** A direct (not relayed) IP address that libp2p would not call private. */
export function isPublicDirect(ma: Multiaddr): boolean {
  const components = ma.getComponents()
  if (components.some((c) => c.name === 'p2p-circuit')) return false
  const first = components[0]
  if (first === undefined || (first.name !== 'ip4' && first.name !== 'ip6')) return false
  // libp2p's own list (RFC 1918, loopback, link-local, and the documentation and
  // shared ranges 192.0.2/24, 198.51.100/24, 203.0.113/24, 100.64/10, 198.18/15)
  return isPrivate(ma) !== true
}

/**
 * public: an address that is publicly routable and verified, or a direct
 * inbound connection from the internet (AutoNAT's servers refuse to check a node they
 * reach through it as a relay, so a relay whose peers all hold reservations on it
 * would stay unknown on AutoNAT alone); private: one
 * was tested and refused, or none of its own (a listener's, a UPnP mapping, an announced
 * one) is publicly routable and yet it reaches the internet, so it sits behind a NAT:
 * what peers observed (the router's address) waits for AutoNAT only to become public;
 * unknown: an address of its own not tested yet, or only LAN peers so far.
 */
export function reachabilityOf(input: ReachabilityInput): Reachability {
  const candidates = input.addresses.filter((a) => isPublicDirect(a.multiaddr))
  if (candidates.some((a) => a.verified) || input.dialledFromInternet) return 'public'
  if (candidates.some((a) => !a.verified && a.expires > 0)) return 'private'
  const own = candidates.filter((a) => a.type !== 'observed')
  if (own.length === 0 && input.reachesInternet) return 'private'
  return 'unknown'
}
