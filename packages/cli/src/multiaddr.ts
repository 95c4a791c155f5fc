import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'

/**
 * Multiaddr checks for flags, so that a typo fails as wrong usage before anything starts.
 * Parsing is @multiformats/multiaddr's, the same the daemon uses.
 */

/** Why `addr` is not a multiaddr, or undefined when it is one. */
export function multiaddrProblem(addr: string): string | undefined {
  if (!addr.startsWith('/')) return 'a multiaddr starts with /, e.g. /ip4/127.0.0.1/tcp/4590'
  let components: ReturnType<ReturnType<typeof multiaddr>['getComponents']>
  try {
    components = multiaddr(addr).getComponents()
  } catch (err) {
    return (err as Error).message
  }
  if (components.length === 0) return 'empty multiaddr'
  for (const c of components)
    if (c.name === 'p2p') {
      try {
        peerIdFromString(c.value ?? '')
      } catch {
        return `'${c.value}' is not a peer id`
      }
    }
  return undefined
}

/** The peer id at the end of a multiaddr (/p2p/<id>), if there is one. */
export function multiaddrPeerId(addr: string): string | undefined {
  try {
    return multiaddr(addr)
      .getComponents()
      .findLast((c) => c.name === 'p2p')?.value
  } catch {
    return undefined
  }
}
