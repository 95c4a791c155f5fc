import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { toHex } from '@alara/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import type { Libp2p } from 'libp2p'
import { Registry } from 'prom-client'
import { startApi } from './api/control-server.js'
import { nodeService } from './api/daemon-node-service.js'
import type { NodeService } from './api/node-service.js'
import { PublicBeacons } from './api/public-beacons.js'
import { startPublicApi } from './api/public-server.js'
import { AlphaStore } from './beacon/alpha-store.js'
import { BeaconIngest } from './beacon/beacon-ingest.js'
import { defaultRecoveryStaggerMs } from './beacon/beacon-recovery.js'
import { restoreBeacons } from './beacon/beacon-restore.js'
import { BeaconService } from './beacon/beacon-service.js'
import { RecoveryRunner } from './beacon/recovery-runner.js'
import { loadTimelockGenerator } from './beacon/timelock-generator.js'
import type { AlaraComponents, Startable } from './components.js'
import { checkConfigValues, mergeConfig, parseHostPort, protocolParams } from './config/config.js'
import type { DaemonConfig } from './config/defaults.js'
import { PortInUseError } from './errors.js'
import { AlaraEventBus } from './events.js'
import { MembershipService } from './membership/membership-service.js'
import { TrustBook } from './membership/trust-book.js'
import { TrustService } from './membership/trust-service.js'
import { serveNodeMetrics } from './metrics/node-metrics.js'
import { saveDrawState } from './node/draw-state.js'
import { EpochService } from './node/epochs.js'
import { Ingest } from './node/ingest.js'
import { InjectService } from './node/inject.js'
import { restoreState } from './node/restore.js'
import { NodeState } from './node/state.js'
import { handshakeWatcher } from './p2p/closed-network.js'
import { GossipService } from './p2p/gossip/gossip-service.js'
import { msgIdFn } from './p2p/gossip/message-id.js'
import { topicsOf } from './p2p/gossip/topics.js'
import { type AlaraServices, createAlaraLibp2p } from './p2p/libp2p-node.js'
import { MdnsCadence } from './p2p/mdns-cadence.js'
import { natStatus } from './p2p/nat/nat-status.js'
import { ReachabilityService } from './p2p/nat/reachability-service.js'
import { PeerService } from './p2p/peer-service.js'
import { openRepo, REPO_FILES } from './repo/repo.js'
import { lockRepo } from './repo/repo-lock.js'
import { removeStaleApiFile } from './repo/stale-api.js'
import { AlaraStore } from './store/store.js'
import { loadStoreKey } from './store/store-key.js'
import { StoreSealer } from './store/store-seal.js'
import { RepairService } from './sync/repair.js'
import { syncClient } from './sync/sync-client.js'
import { SyncServer } from './sync/sync-server.js'
import { writeFileAtomic } from './util/atomic-file.js'
import { consoleLogger, forComponent, type Logger } from './util/logger.js'
import { VerifyPool } from './verify/verify-pool.js'

export interface DaemonOverrides {
  network?: string
  listen?: string[]
  bootstrap?: string[]
  api?: string
  publicApi?: string
  metrics?: string
  epochMs?: number
  roundMs?: number
  byzantineRounds?: number
  timelockSquarings?: number
  recoveryStaggerMs?: number
  mdns?: boolean
  dht?: boolean
  // Across the internet
  relay?: boolean
  relayMaxReservations?: number
  relayMaxDurationMs?: number
  relayMaxDataBytes?: number
  relayReservations?: number
  holePunch?: boolean
  upnp?: boolean
}

export interface AlaraDaemonInit {
  home: string
  overrides?: DaemonOverrides
  logger?: Logger
}

export interface AlaraDaemon {
  readonly peerId: string
  readonly network: string
  /** holds a network key: only key holders connect, every peer is a member */
  readonly closed: boolean
  readonly apiUrl: string
  /** the public beacon API's base URL, when `publicApi` is set */
  readonly publicApiUrl: string | undefined
  /** the Prometheus metrics listener's base URL (`/metrics` under it), when `metrics` is set */
  readonly metricsUrl: string | undefined
  readonly config: DaemonConfig
  /** the node as the control API sees it (same calls as the HTTP routes) */
  readonly node: NodeService
  /** the running services, for embedding and tests */
  readonly services: AlaraNodeServices
  /** the node's event bus (events.ts) */
  readonly events: AlaraEventBus
  /** the libp2p node, for embedding and inspection (gossipsub scores, connections) */
  readonly libp2p: Libp2p<AlaraServices>
  addresses(): string[]
  stop(): Promise<void>
}

export interface AlaraNodeServices {
  gossip: GossipService
  peers: PeerService
  epochs: EpochService
  syncServer: SyncServer
  repair: RepairService
  inject: InjectService
  trust: TrustService
  ingest: Ingest
  beacon: BeaconService
}

/**
 * The composition root. Starts a node from its repo: lock, store, libp2p (created before
 * any service, so none holds a `libp2p | undefined`), the components every service
 * receives, the state restored from the store, then the services in order, then the
 * control API; the `api` file is written last, so a CLI that finds it can use the node at
 * once. Stop (and any failure on the way) undoes everything in reverse order.
 */
export async function createAlaraDaemon(init: AlaraDaemonInit): Promise<AlaraDaemon> {
  const log = init.logger ?? consoleLogger()
  const repo = await openRepo(init.home)
  const overrides = checkConfigValues(
    Object.fromEntries(Object.entries(init.overrides ?? {}).filter(([, v]) => v !== undefined)),
    'flags',
  )
  const config = mergeConfig(repo.config, overrides)
  const api = parseHostPort(config.api)
  const publicApi =
    config.publicApi === undefined
      ? undefined
      : parseHostPort(config.publicApi, 'publicApi', 'publicApi')
  const metricsAt =
    config.metrics === undefined ? undefined : parseHostPort(config.metrics, 'metrics', 'metrics')
  // one registry per daemon: ALARA's metrics and libp2p's side by side
  const registry = metricsAt === undefined ? undefined : new Registry()

  const undo: Array<() => Promise<void>> = []
  const unwind = async (): Promise<void> => {
    for (const step of undo.reverse())
      await step().catch((err) => log.error(`stop: ${(err as Error).message}`))
    undo.length = 0
  }
  try {
    const lock = await lockRepo(repo.home, { log: (m) => log.warn(m) })
    undo.push(() => lock.release())
    await removeStaleApiFile(repo.home, lock.stalePid, (m) => log.warn(m))
    const store = await AlaraStore.open(
      join(repo.home, REPO_FILES.datastore),
      (err) => log.error(`store: a background write failed: ${err.message}`),
      new StoreSealer(await loadStoreKey(repo.home)),
    )
    undo.push(() => store.close())

    const params = protocolParams(config)
    const peerId = peerIdFromString(repo.peerId)
    const selfHex = toHex(peerId.toMultihash().bytes)
    const topics = topicsOf(params.network)
    // a network key: only key holders connect, every origin and voter is a member
    const closed = repo.networkKey !== undefined
    const trust = await TrustBook.load(store, repo.peerId, params.defaultTrust, {
      closed,
      maxMembers: config.maxMembers,
    })
    const state = new NodeState({
      params,
      selfHex,
      trustOf: (originHex) => trust.lookup(originHex),
      seq: await store.lastSeq(),
    })
    const libp2p = await createAlaraLibp2p({
      privateKey: repo.privateKey,
      datastore: store.datastore,
      config,
      params,
      msgIdFn,
      networkKey: repo.networkKey,
      connectionGater: handshakeWatcher(
        forComponent(log, 'alara:peers'),
        repo.networkKey !== undefined,
      ),
      metrics:
        registry === undefined
          ? undefined
          : (prometheusMetrics({ registry, preserveExistingMetrics: true }) as never),
    })
    // h = g^(2^T): checked (default T) or computed once and kept (another T)
    const timelock = await loadTimelockGenerator(repo.home, params.timelockSquarings, (m) =>
      log.info(m),
    )
    const events = new AlaraEventBus()
    const components: AlaraComponents = {
      params,
      config,
      closed,
      peerId,
      selfHex,
      privateKey: repo.privateKey,
      store,
      trust,
      state,
      events,
      logger: (name) => forComponent(log, name),
      libp2p,
      timelock,
      now: Date.now,
    }
    // Built before the state is restored: the epoch clock takes its first boundaries at
    // construction, and the restore's back-fill set ends where they begin.
    // Ed25519 on every core, for reload, gossip and sync; stopped after libp2p.
    const verifier = new VerifyPool({
      params,
      logger: forComponent(log, 'alara:verify'),
      ...(config.verifyThreads !== undefined ? { threads: config.verifyThreads } : {}),
    })
    if (config.verifyThreads !== 0) verifier.start() // stopped, it verifies in-thread
    undo.push(() => verifier.stop())
    let beaconService: BeaconService | undefined
    const beaconIngest = new BeaconIngest(components, (change) => beaconService?.onChange(change))
    const ingest = new Ingest(components, verifier, (v, bare) => beaconIngest.vote(v, bare))
    const gossip = new GossipService(components, { topics, ingest, beacon: beaconIngest })
    const peers = new PeerService(components, { topics })
    const epochs = new EpochService(components, { gossip })
    const beacon = new BeaconService(components, {
      ingest: beaconIngest,
      publisher: gossip,
      request: syncClient(libp2p),
      alphas: new AlphaStore(repo.home),
      runner: new RecoveryRunner(),
      recoveryStaggerMs:
        config.recoveryStaggerMs ?? defaultRecoveryStaggerMs(params.timelockSquarings),
      revote: (r) => epochs.revoteCommits(r),
    })
    beaconService = beacon
    const syncServer = new SyncServer(components)
    const repair = new RepairService(components, {
      ingest,
      epochs,
      request: syncClient(libp2p),
      peers: () => libp2p.getPeers(),
      // members only are asked; among them the more trusted first
      priorityOf: (peerId) => trust.levelOf(peerId).trust,
    })
    const inject = new InjectService(components, {
      topics,
      ingest,
      waitForGossipPeer: (peer, ms) => peers.waitForGossipPeer(peer, ms),
    })
    const membership = new MembershipService(components)
    const reachability = new ReachabilityService(components)
    const mdnsCadence = new MdnsCadence(libp2p.services.mdns)
    const trustService = new TrustService(components, { epochs, membership })
    const services: AlaraNodeServices = {
      gossip,
      peers,
      epochs,
      beacon,
      syncServer,
      repair,
      inject,
      trust: trustService,
      ingest,
    }
    let metricsUrl: string | undefined
    if (registry !== undefined && metricsAt !== undefined) {
      const served = await serveNodeMetrics(components, {
        ...metricsAt,
        registry,
        nat: () => natStatus(components, () => reachability.view()),
      })
      undo.push(() => served.close())
      metricsUrl = served.url
    }
    await restoreState(components, verifier)
    await restoreBeacons(components)
    // the chain is saved at shutdown too (after the API and services stopped, before the
    // store closes); pushed only now, so a failed start never overwrites the saved one
    undo.push(() => saveDrawState(components))

    try {
      await libp2p.start()
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE' || /EADDRINUSE/.test(String(err)))
        throw new PortInUseError(
          'listen',
          config.listen.join(', '),
          'stop what uses it or pick another with --listen (tcp/0 picks a free port)',
        )
      throw err
    }
    undo.push(async () => {
      await libp2p.stop()
    })

    // Started in this order, stopped in reverse; the store is flushed once they are.
    undo.push(() => store.flush())
    // membership first: a LAN peer's gossip is classified from its connection's first message
    const ordered: Startable[] = [
      membership,
      gossip,
      peers,
      epochs,
      beacon,
      syncServer,
      repair,
      inject,
      trustService,
      reachability,
      mdnsCadence,
    ]
    for (const service of ordered) {
      await service.start()
      undo.push(async () => {
        await service.stop()
      })
    }
    const node = nodeService(components, {
      peers,
      trust: trustService,
      inject,
      reachability: () => reachability.view(),
    })

    let publicApiUrl: string | undefined
    if (publicApi !== undefined) {
      const published = await startPublicApi({
        ...publicApi,
        beacons: new PublicBeacons({
          params,
          store,
          timelock: components.timelock,
          selfHex: components.selfHex,
          now: components.now,
        }),
        params,
        timelock: components.timelock,
        peerId: repo.peerId,
      })
      undo.push(() => published.close())
      publicApiUrl = published.url
    }

    const server = await startApi({
      host: api.host,
      port: api.port,
      token: repo.token,
      peerId: repo.peerId,
      service: node,
      idExtras: {
        ...(publicApiUrl === undefined ? {} : { publicApiUrl }),
        ...(metricsUrl === undefined ? {} : { metricsUrl }),
      },
      events,
      warn: (m) => log.warn(m),
    })
    undo.push(async () => server.close())
    const apiFile = join(repo.home, REPO_FILES.api)
    await writeFileAtomic(apiFile, `${server.url}\n`)
    undo.push(() => rm(apiFile, { force: true }))

    let stopping: Promise<void> | undefined
    return {
      peerId: repo.peerId,
      network: config.network,
      closed: components.closed,
      apiUrl: server.url,
      publicApiUrl,
      metricsUrl,
      config,
      node,
      services,
      events,
      libp2p,
      addresses: () => libp2p.getMultiaddrs().map((ma) => ma.toString()),
      stop: () => {
        stopping ??= unwind()
        return stopping
      },
    }
  } catch (err) {
    await unwind()
    throw err
  }
}
