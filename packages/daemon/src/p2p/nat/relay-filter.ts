import type { PeerId, TopologyFilter } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'

/**
 * Relay discovery restricted to the bootstrap peers: libp2p's circuit relay transport
 * offers every connected peer that speaks the relay protocol for a reservation, after
 * asking this filter; a peer outside the list is always "seen already". Bounded by the
 * bootstrap list.
 */
export function bootstrapRelaysOnly(bootstrap: string[]): TopologyFilter {
  const allowed = new Set<string>()
  for (const entry of bootstrap) {
    const id = multiaddr(entry)
      .getComponents()
      .findLast((c) => c.name === 'p2p')?.value
    if (id !== undefined) allowed.add(id)
  }
  const offered = new Set<string>()
  return {
    has: (peer: PeerId) => !allowed.has(peer.toString()) || offered.has(peer.toString()),
    add: (peer: PeerId) => {
      if (allowed.has(peer.toString())) offered.add(peer.toString())
    },
    remove: (peer: PeerId) => {
      offered.delete(peer.toString())
    },
  }
}
