import type { Connection } from '@libp2p/interface'

/**
 * How a peer is connected: `direct` (a TCP connection of its own, whatever NATs are on
 * the way) or `relayed` (through a circuit relay v2, limited in time and data by the
 * relay), and since when it has been so. A peer with both counts as direct: libp2p
 * prefers the direct connection for new streams once DCUtR opened it.
 */

export type ConnectionKind = 'direct' | 'relayed'

export interface PeerLink {
  kind: ConnectionKind
  /** wall-clock ms the oldest open connection of that kind was opened */
  sinceMs: number
}

export function isRelayed(conn: Pick<Connection, 'remoteAddr' | 'limits'>): boolean {
  return (
    conn.limits !== undefined ||
    conn.remoteAddr.getComponents().some((c) => c.name === 'p2p-circuit')
  )
}

export function linkOf(
  conns: Array<Pick<Connection, 'remoteAddr' | 'limits' | 'timeline' | 'status'>>,
): PeerLink | undefined {
  const open = conns.filter((c) => c.status === 'open')
  const direct = open.filter((c) => !isRelayed(c))
  const chosen = direct.length > 0 ? direct : open
  if (chosen.length === 0) return undefined
  return {
    kind: direct.length > 0 ? 'direct' : 'relayed',
    sinceMs: Math.min(...chosen.map((c) => c.timeline.open)),
  }
}
