import { createWriteStream, existsSync, rmSync, type WriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiClient } from './client.js'
import { CliError, errorCode, errorMessage } from './errors.js'
import {
  CLI_BIN,
  DaemonChild,
  type DaemonChildInit,
  type ExitInfo,
  type ReadyInfo,
} from './harness.js'

/**
 * A local network of `alara daemon` child processes on loopback, each in its own
 * temporary home, for trying ALARA out. Children run in their own process group so that
 * Ctrl-C reaches only the devnet, which then stops them in order.
 */

export interface DevnetOptions {
  nodes: number
  epochMs?: number
  basePort?: number
  network?: string
  /** a closed network: one new network key, copied into every node's home before it starts */
  closed?: boolean
  /** node binary and the CLI entry point the children run */
  nodePath?: string
  binPath?: string
  readyTimeoutMs?: number
  stopTimeoutMs?: number
  env?: NodeJS.ProcessEnv
}

export interface DevnetNode extends ReadyInfo {
  index: number
  log: string
}

export { CLI_BIN }

const READY_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000

/** Node i listens on base+2i and serves its API on base+2i+1. */
export function devnetPorts(
  basePort: number | undefined,
  index: number,
): { p2p: number; api: number } {
  if (basePort === undefined) return { p2p: 0, api: 0 }
  return { p2p: basePort + 2 * index, api: basePort + 2 * index + 1 }
}

/** The address the other nodes bootstrap from: loopback TCP, with the peer id. */
export function bootstrapAddress(node: Pick<ReadyInfo, 'addresses' | 'peerId'>): string {
  const addr = node.addresses.find((a) => a.startsWith('/ip4/127.0.0.1/tcp/')) ?? node.addresses[0]
  if (addr === undefined)
    throw new CliError('ERR_DEVNET_START', `node ${node.peerId} has no listen address`)
  return /\/p2p\/[^/]+$/.test(addr) ? addr : `${addr}/p2p/${node.peerId}`
}

/** One devnet node: the harness's child process, its stderr and later stdout in a log file. */
class Child {
  readonly index: number
  readonly home: string
  readonly log: string
  readonly daemon: DaemonChild
  readonly #logStream: WriteStream

  constructor(index: number, home: string, log: string, init: DaemonChildInit) {
    this.index = index
    this.home = home
    this.log = log
    this.#logStream = createWriteStream(log, { flags: 'a' })
    this.daemon = new DaemonChild({
      ...init,
      detached: true,
      label: `devnet node ${index}`,
      errorCode: 'ERR_DEVNET_START',
      onOutput: (_stream, text) => this.#logStream.write(text),
    })
  }

  get running(): boolean {
    return this.daemon.running
  }

  get exited(): Promise<ExitInfo> {
    return this.daemon.exited
  }

  ready(timeoutMs: number): Promise<ReadyInfo> {
    return this.daemon.ready(timeoutMs, ` (log: ${this.log})`)
  }

  signal(signal: NodeJS.Signals): void {
    this.daemon.signal(signal)
  }

  /** SIGTERM, then SIGKILL when it has not stopped within the timeout. */
  async stop(timeoutMs: number): Promise<void> {
    await this.daemon.stop(timeoutMs)
    await new Promise<void>((resolve) => this.#logStream.end(resolve))
  }
}

export class Devnet {
  readonly root: string
  readonly nodes: DevnetNode[] = []
  readonly #children: Child[] = []
  readonly #opts: DevnetOptions
  #networkKey: Uint8Array | undefined
  #stopping = false
  readonly #killAll = (): void => {
    for (const child of this.#children) child.signal('SIGKILL')
  }

  private constructor(root: string, opts: DevnetOptions) {
    this.root = root
    this.#opts = opts
    // if the devnet itself dies, its detached children must not outlive it
    process.once('exit', this.#killAll)
  }

  /** Makes the temporary root; nothing runs yet. */
  static async create(opts: DevnetOptions): Promise<Devnet> {
    const bin = opts.binPath ?? CLI_BIN
    if (!existsSync(bin)) {
      throw new CliError(
        'ERR_NOT_BUILT',
        `${bin} is missing: build the CLI first (./scripts/setup)`,
      )
    }
    return new Devnet(await mkdtemp(join(tmpdir(), 'alara-devnet-')), opts)
  }

  /**
   * Starts node 0, then the others bootstrapping from it. On failure the caller stops the
   * devnet, which also stops the nodes already up.
   */
  async launch(): Promise<DevnetNode[]> {
    if (this.#opts.closed === true) {
      // loaded on demand: the daemon package pulls in libp2p
      const { generateNetworkKey } = await import('@alara/daemon')
      this.#networkKey = generateNetworkKey()
    }
    const first = await this.#spawn(0, undefined)
    this.nodes.push(first)
    const bootstrap = bootstrapAddress(first)
    // allSettled: every child is spawned (and so known to stop()) before the caller cleans up
    const rest = await Promise.allSettled(
      Array.from({ length: this.#opts.nodes - 1 }, (_, i) => this.#spawn(i + 1, bootstrap)),
    )
    for (const r of rest) {
      if (r.status === 'rejected') throw r.reason
      this.nodes.push(r.value)
    }
    return this.nodes
  }

  async #spawn(index: number, bootstrap: string | undefined): Promise<DevnetNode> {
    const home = join(this.root, `node${index}`)
    await mkdir(home, { recursive: true, mode: 0o700 })
    if (this.#networkKey !== undefined) {
      const { writeRepoNetworkKey } = await import('@alara/daemon')
      await writeRepoNetworkKey(home, this.#networkKey)
    }
    const ports = devnetPorts(this.#opts.basePort, index)
    const args = [
      'daemon',
      '--home',
      home,
      '--json',
      '--listen',
      `/ip4/127.0.0.1/tcp/${ports.p2p}`,
      '--api',
      `127.0.0.1:${ports.api}`,
      '--no-mdns',
    ]
    if (this.#opts.epochMs !== undefined) args.push('--epoch-ms', String(this.#opts.epochMs))
    if (this.#opts.network !== undefined) args.push('--network', this.#opts.network)
    if (bootstrap !== undefined) args.push('--bootstrap', bootstrap)
    const log = join(this.root, `node${index}.log`)
    const env = { ...(this.#opts.env ?? process.env) }
    delete env.ALARA_HOME
    // stop() may have begun while we awaited: spawning now would leak a process
    if (this.#stopping) throw new CliError('ERR_DEVNET_STOPPED', 'the devnet is stopping')
    const child = new Child(index, home, log, {
      args,
      env,
      nodePath: this.#opts.nodePath,
      binPath: this.#opts.binPath,
    })
    this.#children.push(child)
    const info = await child.ready(this.#opts.readyTimeoutMs ?? READY_TIMEOUT_MS)
    return { ...info, index, home, log }
  }

  /** Calls back once for each node that exits while the devnet still runs. */
  onNodeExit(
    callback: (node: DevnetNode, code: number | null, signal: NodeJS.Signals | null) => void,
  ): void {
    for (const child of this.#children) {
      void child.exited.then(({ code, signal }) => {
        if (this.#stopping) return
        const node = this.nodes[child.index]
        if (node !== undefined) callback(node, code, signal)
      })
    }
  }

  /** the nodes share a network key (closed network) */
  get closed(): boolean {
    return this.#opts.closed === true
  }

  get running(): number {
    return this.#children.filter((c) => c.running).length
  }

  /**
   * Dials node 0 from every other node through their APIs, so the devnet is connected
   * when it is shown (bootstrap dials on its own schedule). Returns the failures.
   */
  async connectAll(): Promise<string[]> {
    const first = this.nodes[0]
    if (first === undefined) return []
    const multiaddr = bootstrapAddress(first)
    const failures = await Promise.all(
      this.nodes.slice(1).map(async (node) => {
        try {
          const client = await ApiClient.connect({ home: node.home, api: node.apiUrl })
          await client.post('/v1/connect', { multiaddr })
          return undefined
        } catch (err) {
          return `node ${node.index} could not dial node 0: ${errorMessage(err)} (${errorCode(err)})`
        }
      }),
    )
    return failures.filter((f) => f !== undefined)
  }

  /** Stops every node (in parallel) and removes the temporary homes unless kept. */
  async stop(opts: { keep: boolean }): Promise<void> {
    this.#stopping = true
    await Promise.all(
      this.#children.map((c) => c.stop(this.#opts.stopTimeoutMs ?? STOP_TIMEOUT_MS)),
    )
    process.off('exit', this.#killAll)
    if (!opts.keep) await rm(this.root, { recursive: true, force: true })
  }

  /** Last resort on a second Ctrl-C: kill now, remove the homes synchronously. */
  kill(opts: { keep: boolean }): void {
    this.#stopping = true
    this.#killAll()
    if (!opts.keep) rmSync(this.root, { recursive: true, force: true })
  }
}
