import type { AlaraComponents } from '../../components.js'
import { linkOf } from './connection-kind.js'
import type { Reachability } from './reachability.js'
import type { ReachabilityView } from './reachability-service.js'

/**
 * A node's standing across NATs: what `alara status` shows under "Across the internet"
 * and what the metrics export (docs/OPERATIONS.md).
 */
export interface NatStatus {
  /** AutoNAT's verdict and since when */
  reachability: Reachability
  reachabilitySinceMs: number
  /** connected peers by connection: direct, or only through a relay */
  peersDirect: number
  peersRelayed: number
  /** relayed addresses this node announces (its relay reservations) */
  relayedAddresses: string[]
  /** when serving as a relay (`relay: true`): reservations held and the limit */
  relay: { reservations: number; maxReservations: number } | null
}

/** The reachability service's view; absent in tests that run without it. */
export type ReachabilitySource = () => ReachabilityView

export const NO_VIEW: ReachabilityView = {
  reachability: 'unknown',
  sinceMs: 0,
  relayedAddresses: [],
}

export function natStatus(c: AlaraComponents, nat?: ReachabilitySource): NatStatus {
  const view = nat?.() ?? NO_VIEW
  const links = c.libp2p.getPeers().map((p) => linkOf(c.libp2p.getConnections(p)))
  return {
    reachability: view.reachability,
    reachabilitySinceMs: view.sinceMs,
    peersDirect: links.filter((l) => l?.kind === 'direct').length,
    peersRelayed: links.filter((l) => l?.kind === 'relayed').length,
    relayedAddresses: view.relayedAddresses,
    relay: relayOf(c),
  }
}

/** The relay server's reservations, when this node serves as a relay. */
function relayOf(c: AlaraComponents): NatStatus['relay'] {
  if (!c.config.relay) return null
  const relay = (c.libp2p.services as { relay?: { reservations: { size: number } } }).relay
  return {
    reservations: relay?.reservations.size ?? 0,
    maxReservations: c.config.relayMaxReservations,
  }
}
