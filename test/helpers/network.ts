import type { PeerInfo } from '@alara/daemon'
import { apiPeers } from './api.js'
import { cliJson } from './cli.js'
import type { DaemonProcess } from './daemon.js'
import { STATE_TIMEOUT_MS, waitFor } from './wait.js'

/** Peers as `alara peers --json` prints them. */
export type PeerJson = PeerInfo

export function peersOf(d: DaemonProcess): Promise<PeerJson[]> {
  return cliJson<PeerJson[]>(d.home, ['peers'])
}

/** `alara connect MA` from `from` to `to`'s listening address. */
export async function connect(from: DaemonProcess, to: DaemonProcess): Promise<void> {
  await cliJson(from.home, ['connect', to.multiaddr])
}

export function connectedIds(peers: PeerJson[]): Set<string> {
  return new Set(peers.filter((p) => p.connected).map((p) => p.peerId))
}

/** Waits until `d` lists every one of `others` as connected (polling its API). */
export async function waitConnected(
  d: DaemonProcess,
  others: DaemonProcess[],
  timeoutMs = STATE_TIMEOUT_MS,
): Promise<PeerJson[]> {
  return waitFor(
    () => apiPeers(d),
    (peers) => {
      const ids = connectedIds(peers)
      return others.every((o) => ids.has(o.peerId))
    },
    {
      timeoutMs,
      intervalMs: 100,
      what: `${d.peerId} connected to ${others.map((o) => o.peerId).join(', ')}`,
    },
  )
}

/**
 * Connects every pair with `alara connect` (a full mesh, so gossipsub has a direct path
 * between any two nodes) and waits until each node sees all the others.
 */
export async function connectMesh(nodes: DaemonProcess[]): Promise<void> {
  for (const [i, a] of nodes.entries()) for (const b of nodes.slice(i + 1)) await connect(a, b)
  for (const d of nodes)
    await waitConnected(
      d,
      nodes.filter((o) => o !== d),
    )
}

/**
 * Asserts that every node lists every other one as connected, as `alara peers` shows it
 * (or, `via: 'api'`, as its API answers: for polling); the failure names, per node, the
 * peers it does not see connected.
 */
export async function expectFullMesh(
  nodes: DaemonProcess[],
  via: 'cli' | 'api' = 'cli',
): Promise<void> {
  const missing: Record<string, string[]> = {}
  for (const d of nodes) {
    const connected = connectedIds(await (via === 'cli' ? peersOf(d) : apiPeers(d)))
    const absent = nodes.filter((o) => o !== d && !connected.has(o.peerId)).map((o) => o.peerId)
    if (absent.length > 0) missing[d.peerId] = absent
  }
  if (Object.keys(missing).length > 0)
    throw new Error(
      `not a full mesh; node -> peers it does not see connected: ${JSON.stringify(missing)}`,
    )
}
