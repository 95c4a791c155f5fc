import { fromHex, lastFinalEpoch, peerIdFromOrigin, type Replica } from '@alara/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import type { AlaraComponents } from '../../components.js'
import { originHexOf } from '../../membership/trust-book.js'
import { linkOf } from '../../p2p/nat/connection-kind.js'
import { NO_VIEW, natStatus, type ReachabilitySource } from '../../p2p/nat/nat-status.js'
import { VERSION } from '../../version.js'
import type { IdResponse, PeerInfo, StatusResponse } from '../types.js'
import { epochConsensus, recentClosedEpochs, voteStatsByOrigin } from './consensus.js'

/** Who this node is, whom it knows, and its one-screen status. */

export function id(c: AlaraComponents, nat?: ReachabilitySource): IdResponse {
  return {
    peerId: c.peerId.toString(),
    addresses: c.libp2p.getMultiaddrs().map((ma) => ma.toString()),
    network: c.params.network,
    closed: c.closed,
    version: VERSION,
    reachability: (nat?.() ?? NO_VIEW).reachability,
  }
}

export async function peers(c: AlaraComponents): Promise<PeerInfo[]> {
  const libp2p = c.libp2p
  const ids = new Set<string>()
  const connected = new Set<string>()
  for (const p of libp2p.getPeers()) {
    ids.add(p.toString())
    connected.add(p.toString())
  }
  for (const t of c.trust.list()) ids.add(t.peerId)
  const statsByPeer = new Map<string, ReturnType<Replica['allOriginStats']>[number]>()
  for (const s of c.state.replica.allOriginStats()) {
    if (s.originHex === c.selfHex) continue
    const peerId = peerIdFromOrigin(fromHex(s.originHex)).toString()
    statsByPeer.set(peerId, s)
    ids.add(peerId)
  }
  const voteStats = voteStatsByOrigin(c)
  const out: PeerInfo[] = []
  for (const peerId of [...ids].sort()) {
    if (peerId === c.peerId.toString()) continue
    const level = c.trust.levelOf(peerId)
    const stats = statsByPeer.get(peerId)
    let addresses: string[] = []
    const conns = libp2p.getConnections(peerIdFromString(peerId))
    addresses = conns.map((conn) => conn.remoteAddr.toString())
    if (addresses.length === 0) {
      const info = await libp2p.peerStore.get(peerIdFromString(peerId)).catch(() => undefined)
      addresses = info?.addresses.map((a) => a.multiaddr.toString()) ?? []
    }
    const votes = voteStats.get(originHexOf(peerId))
    const link = linkOf(conns)
    out.push({
      peerId,
      addresses: [...new Set(addresses)],
      connected: connected.has(peerId),
      trust: level.trust,
      active: level.active,
      contributions: stats?.contributions ?? 0,
      lastSeenMs: stats?.lastSeenMs ?? null,
      member: c.trust.isMemberPeer(peerId),
      epochsVoted: votes?.voted ?? 0,
      epochsAgreed: votes?.agreed ?? 0,
      lastVoteEpoch: votes?.last ?? null,
      connection: link?.kind ?? null,
      connectionSinceMs: link?.sinceMs ?? null,
    })
  }
  return out
}

export function status(c: AlaraComponents, nat?: ReachabilitySource): StatusResponse {
  const latest = recentClosedEpochs(c, 1)[0]
  return {
    peerId: c.peerId.toString(),
    network: c.params.network,
    closed: c.closed,
    version: VERSION,
    epoch: c.state.currentEpoch(c.now()),
    epochMs: c.params.epochMs,
    peers: c.libp2p.getPeers().length,
    members: c.libp2p.getPeers().filter((p) => c.trust.isMemberPeer(p.toString())).length,
    ready: c.state.replica.ready,
    creditBits: c.state.replica.creditBits,
    folded: c.state.replica.foldedTotal,
    stored: c.state.replica.storedTotal,
    lastFinalEpoch: lastFinalEpoch(c.now(), c.params) ?? null,
    consensus: latest === undefined ? null : epochConsensus(c, latest),
    ...natStatus(c, nat),
  }
}
