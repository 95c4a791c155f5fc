import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AlaraError } from '@alara/protocol'
import type { Libp2p } from 'libp2p'
import { startPublicApi } from './api/public.js'
import { startApi } from './api/server.js'
import { checkConfigValues, type DaemonConfig, mergeConfig, parseHostPort } from './config.js'
import { PortInUseError } from './errors.js'
import { type AlaraServices, createAlaraLibp2p } from './libp2p.js'
import { consoleLogger, type Logger } from './logger.js'
import { PublicBeacons } from './public-beacon.js'
import { lockRepo, openRepo, REPO_FILES } from './repo.js'
import { AlaraNode } from './service.js'
import { AlaraStore } from './store.js'
import { SyncService } from './sync.js'

export interface DaemonOverrides {
  network?: string
  listen?: string[]
  bootstrap?: string[]
  api?: string
  publicApi?: string
  epochMs?: number
  mdns?: boolean
  dht?: boolean
}

export interface AlaraDaemonInit {
  home: string
  overrides?: DaemonOverrides
  logger?: Logger
}

export interface AlaraDaemon {
  readonly peerId: string
  readonly network: string
  readonly apiUrl: string
  /** the public beacon API's base URL, when `publicApi` is set */
  readonly publicApiUrl: string | undefined
  readonly config: DaemonConfig
  readonly node: AlaraNode
  /** the libp2p node, for embedding and inspection (gossipsub scores, connections) */
  readonly libp2p: Libp2p<AlaraServices>
  addresses(): string[]
  stop(): Promise<void>
}

/**
 * Starts a node from its repo: lock, store, libp2p, the ALARA node, then the control API;
 * the `api` file is written last, so a CLI that finds it can use the node at once.
 * Anything that fails on the way is undone in reverse order.
 */
export async function createAlaraDaemon(init: AlaraDaemonInit): Promise<AlaraDaemon> {
  const log = init.logger ?? consoleLogger()
  const repo = await openRepo(init.home)
  const overrides = checkConfigValues(
    Object.fromEntries(Object.entries(init.overrides ?? {}).filter(([, v]) => v !== undefined)),
    'flags',
  )
  const config = mergeConfig(repo.config, overrides)
  checkBootstrap(config.bootstrap)
  const api = parseHostPort(config.api)
  const publicApi =
    config.publicApi === undefined
      ? undefined
      : parseHostPort(config.publicApi, 'publicApi', 'publicApi')

  const undo: Array<() => Promise<void>> = []
  const unwind = async (): Promise<void> => {
    for (const step of undo.reverse())
      await step().catch((err) => log.error(`stop: ${(err as Error).message}`))
    undo.length = 0
  }
  try {
    const lock = await lockRepo(repo.home)
    undo.push(() => lock.release())
    const store = await AlaraStore.open(join(repo.home, REPO_FILES.datastore), (err) =>
      log.error(`store: a background write failed: ${err.message}`),
    )
    undo.push(() => store.close())

    const node = await AlaraNode.create({ repo, config, store, log })
    const libp2p = await createAlaraLibp2p({
      privateKey: repo.privateKey,
      datastore: store.datastore,
      config,
      msgIdFn: node.gossip.msgIdFn,
    })
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
    await node.start(libp2p)
    undo.push(() => node.stop())
    const sync = new SyncService(node, libp2p, log)
    await sync.start()
    undo.push(() => sync.stop())

    let publicApiUrl: string | undefined
    if (publicApi !== undefined) {
      const published = await startPublicApi({
        ...publicApi,
        beacons: new PublicBeacons({ params: node.params, store, now: Date.now }),
        params: node.params,
        peerId: repo.peerId,
      })
      undo.push(() => published.close())
      publicApiUrl = published.url
    }

    const server = await startApi({
      host: api.host,
      port: api.port,
      token: repo.token,
      service: node,
      idExtras: publicApiUrl === undefined ? {} : { publicApiUrl },
      warn: (m) => log.warn(m),
    })
    undo.push(async () => server.close())
    const apiFile = join(repo.home, REPO_FILES.api)
    await writeFile(apiFile, `${server.url}\n`)
    undo.push(() => rm(apiFile, { force: true }))

    let stopping: Promise<void> | undefined
    return {
      peerId: repo.peerId,
      network: config.network,
      apiUrl: server.url,
      publicApiUrl,
      config,
      node,
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

function checkBootstrap(list: string[]): void {
  for (const entry of list)
    if (!/\/p2p\/[1-9A-HJ-NP-Za-km-z]+$/.test(entry))
      throw new AlaraError(
        'ERR_BAD_CONFIG',
        `bootstrap address '${entry}' must end with /p2p/<peer id> (as printed by alara id)`,
      )
}
