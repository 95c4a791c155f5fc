import { createRequire } from 'node:module'
import type * as PeerIdModule from '@libp2p/peer-id'
import type * as MultiaddrModule from '@multiformats/multiaddr'

/**
 * Multiaddr checks for flags, so that a typo fails as wrong usage before anything starts.
 * Parsing is @multiformats/multiaddr's, the same the daemon uses. Both libraries load on
 * first use, synchronously (commander's argument parsers are), so that a command without a
 * multiaddr (`alara status`) does not load libp2p's peer-id and crypto at all.
 */

const require = createRequire(import.meta.url)
let multiaddrModule: typeof MultiaddrModule | undefined
let peerIdModule: typeof PeerIdModule | undefined

function multiaddr(addr: string): MultiaddrModule.Multiaddr {
  multiaddrModule ??= require('@multiformats/multiaddr') as typeof MultiaddrModule
  return multiaddrModule.multiaddr(addr)
}

function peerIdFromString(id: string): ReturnType<typeof PeerIdModule.peerIdFromString> {
  peerIdModule ??= require('@libp2p/peer-id') as typeof PeerIdModule
  return peerIdModule.peerIdFromString(id)
}

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
