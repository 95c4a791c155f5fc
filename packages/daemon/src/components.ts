import type { ProtocolParams, TimelockGenerator } from '@alara/protocol'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Libp2p } from 'libp2p'
import type { DaemonConfig } from './config/defaults.js'
import type { AlaraEventBus } from './events.js'
import type { TrustBook } from './membership/trust-book.js'
import type { NodeState } from './node/state.js'
import type { AlaraServices } from './p2p/libp2p-node.js'
import type { AlaraStore } from './store/store.js'
import type { ComponentLoggerFactory } from './util/logger.js'

/**
 * What every service of the node receives, as js-libp2p hands `components` to its
 * services: built once by the composition root (daemon.ts), before any service, so no
 * service holds a `libp2p | undefined`. Tests build it with fakes (test-helpers/).
 */
export interface AlaraComponents {
  params: ProtocolParams
  config: DaemonConfig
  /** the node holds a network key (closed network): every peer that connects is a member */
  closed: boolean
  peerId: PeerId
  /** this node's origin (the peer id's multihash bytes) as hex */
  selfHex: string
  privateKey: PrivateKey
  store: AlaraStore
  trust: TrustBook
  state: NodeState
  events: AlaraEventBus
  logger: ComponentLoggerFactory
  libp2p: Libp2p<AlaraServices>
  /** version 2: h = g^(2^T) for the network's T, with its proof (checked at start) */
  timelock: TimelockGenerator
  /** wall-clock ms: the one clock every service reads (tests move it) */
  now(): number
}

/** A part of the node with a life cycle: started in order, stopped in reverse. */
export interface Startable {
  start(): void | Promise<void>
  stop(): void | Promise<void>
}
