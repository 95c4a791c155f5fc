import type { ProtocolParams } from '@alara/protocol'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { bootstrap } from '@libp2p/bootstrap'
import { type GossipSub, type GossipsubOpts, gossipsub, StrictNoSign } from '@libp2p/gossipsub'
import { identify, identifyPush } from '@libp2p/identify'
import type { ConnectionGater, Metrics, PeerDiscovery, PrivateKey } from '@libp2p/interface'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import type { Datastore } from 'interface-datastore'
import { createLibp2p, type Libp2p } from 'libp2p'
import type { DaemonConfig } from '../config/defaults.js'
import { pskOf } from '../repo/network-key.js'
import { namedPreSharedKey } from './closed-network.js'
import { gossipFrameLimits } from './gossip/frame-limits.js'
import { scoreParams } from './gossip/scoring.js'
import { allTopics, topicsOf } from './gossip/topics.js'
import { MDNS_REPEAT_MS, type RestartableDiscovery } from './mdns-cadence.js'
import { natServices, natTransport } from './nat/nat-services.js'

/**
 * The libp2p node of a daemon. Gossipsub runs StrictNoSign: ALARA signs its own
 * messages (they also travel over sync and must stay verifiable from storage), and the
 * message id is the gossip message id (SHA-256 of the encoded message) from `msgIdFn`.
 */

/**
 * A stream's receive window, fixed at yamux's initial (and smallest) 256 KiB instead of
 * growing to 16 MiB on a fast link: gossipsub reads a stream's buffered frames in one run
 * of microtasks, so a 16 MiB backlog from a flooding peer held the event loop for seconds
 * (every other peer, the verify threads' answers and the API waited). 256 KiB still moves
 * 250 MB/s at a 1 ms LAN round trip; a slow reader now pushes back on the sender instead.
 */
const YAMUX_STREAM_WINDOW = 256 * 1024

export interface AlaraLibp2pInit {
  privateKey: PrivateKey
  /** absent: in memory (an outside peer of the tests) */
  datastore?: Datastore
  config: DaemonConfig
  /** the frame limits derive from them (equal on every node) */
  params: Pick<ProtocolParams, 'maxMessageBytes' | 'maxVoteBytes'>
  msgIdFn: GossipsubOpts['msgIdFn']
  /** a closed network's key (network-key.ts): only its holders can connect */
  networkKey?: Uint8Array
  connectionGater?: ConnectionGater
  /** libp2p's own metrics (e.g. @libp2p/prometheus-metrics), when metrics are on */
  metrics?: (components: never) => Metrics
}

export type AlaraServices = {
  identify: ReturnType<ReturnType<typeof identify>>
  ping: ReturnType<ReturnType<typeof ping>>
  pubsub: GossipSub
  dht?: unknown
  mdns?: RestartableDiscovery
}

/** the connection monitor's liveness ping of every connection */
const PING_INTERVAL_MS = 30_000

export async function createAlaraLibp2p(init: AlaraLibp2pInit): Promise<Libp2p<AlaraServices>> {
  const { config } = init
  const topics = topicsOf(config.network)
  const peerDiscovery: Array<(components: never) => PeerDiscovery> = []
  if (config.bootstrap.length > 0)
    peerDiscovery.push(bootstrap({ list: config.bootstrap, timeout: 100 }) as never)
  const services: Record<string, unknown> = {
    identify: identify(),
    // a node's new addresses (a relay reservation, a UPnP mapping) reach its peers at once;
    // without it they learn them only from the next connection's identify
    identifyPush: identifyPush(),
    // The connection monitor pings every connection on this protocol while kad-dht pings
    // new contacts: with the default of one outbound stream the two collide, the monitor's
    // ping fails and it aborts a healthy connection.
    ping: ping({ maxInboundStreams: 4, maxOutboundStreams: 4 }),
    pubsub: gossipsub({
      globalSignaturePolicy: StrictNoSign,
      msgIdFn: init.msgIdFn,
      allowPublishToZeroTopicPeers: true,
      ignoreDuplicatePublishError: true,
      emitSelf: false,
      ...gossipFrameLimits(init.params),
      // No IDONTWANT for messages up to maxMessageBytes (every contribution, 8 KiB by
      // default): it saves a mesh peer one small message and costs a frame and a write per
      // message per mesh peer; under a flood those writes took an eighth of the main thread.
      // A vote carrying its evidence may be larger (maxVoteBytes) and is worth one.
      idontwantMinDataSize: init.params.maxMessageBytes + 1,
      allowedTopics: allTopics(topics),
      scoreParams: scoreParams(topics),
      // members reached through a relay gossip over the relayed connection too (within
      // the relay's limits), until DCUtR makes it direct
      runOnLimitedConnection: true,
    }),
    ...natServices(config),
  }
  // a service rather than a peerDiscovery entry, so that MdnsCadence can restart it
  if (config.mdns)
    services.mdns = mdns({ serviceTag: `alara-${config.network}.local`, interval: MDNS_REPEAT_MS })
  if (config.dht)
    // On a LAN every address is private: the default mapper would drop every peer; across
    // NATs a peer is reached at its relayed (public) address. Both are handed out.
    services.dht = kadDHT({
      clientMode: false,
      protocol: `/alara/${config.network}/kad/1.0.0`,
      peerInfoMapper: passthroughMapper,
    })

  return (await createLibp2p({
    privateKey: init.privateKey,
    datastore: init.datastore,
    addresses: { listen: config.listen },
    transports: [tcp(), natTransport(config)],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux({ streamOptions: { maxStreamWindowSize: YAMUX_STREAM_WINDOW } })],
    connectionManager: { maxConnections: config.maxPeers },
    // libp2p pings every connection on a new stream (and a peer-store write at each end)
    // every 10 s by default: a third of an idle node's streams. A dead connection is now
    // found within ~30 s instead of ~10 s (docs/BENCHMARKS.md "Idle cost")
    connectionMonitor: { pingInterval: PING_INTERVAL_MS },
    ...(init.networkKey === undefined
      ? {}
      : { connectionProtector: namedPreSharedKey(pskOf(init.networkKey)) }),
    ...(init.connectionGater === undefined ? {} : { connectionGater: init.connectionGater }),
    peerDiscovery: peerDiscovery as never,
    services: services as never,
    ...(init.metrics === undefined ? {} : { metrics: init.metrics as never }),
    start: false,
  })) as unknown as Libp2p<AlaraServices>
}
