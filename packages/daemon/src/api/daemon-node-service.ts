import type { AlaraComponents } from '../components.js'
import type { TrustService } from '../membership/trust-service.js'
import type { InjectService } from '../node/inject.js'
import type { ReachabilitySource } from '../p2p/nat/nat-status.js'
import type { PeerService } from '../p2p/peer-service.js'
import type { NodeService } from './node-service.js'
import { beacon, random } from './queries/beacon.js'
import { consensus } from './queries/consensus.js'
import { pool, quality, tests } from './queries/entropy-pool.js'
import { id, peers, status } from './queries/peers.js'

/** The services the API writes through; the read side is api/queries/. */
export interface ApiServices {
  peers: Pick<PeerService, 'connect'>
  trust: Pick<TrustService, 'list' | 'set' | 'remove'>
  inject: Pick<InjectService, 'inject'>
  /** across the internet: reachability and relayed addresses (p2p/nat/) */
  reachability?: ReachabilitySource
}

/** The control API's view of a running node. */
export function nodeService(c: AlaraComponents, services: ApiServices): NodeService {
  return {
    id: () => id(c, services.reachability),
    peers: () => peers(c),
    connect: (ma) => services.peers.connect(ma),
    trustList: () => services.trust.list(),
    trustSet: (peerId, trust, active) => services.trust.set(peerId, trust, active),
    trustRemove: (peerId) => services.trust.remove(peerId),
    inject: (input) => services.inject.inject(input),
    pool: (bits) => pool(c, bits),
    quality: () => quality(c),
    tests: () => tests(c),
    consensus: (epochs) => consensus(c, epochs),
    beacon: (epoch, verify) => beacon(c, epoch, verify),
    random: (req) => random(c, req),
    status: () => status(c, services.reachability),
  }
}
