import { type ChildProcess, spawn } from 'node:child_process'
import { CLI_BIN, childEnv } from './paths.js'

/**
 * A real `alara daemon` process: spawned with the CLI, ready once it printed
 * `alara daemon ready: peer <id> network <name> api <url>` and its `  listening <ma>`
 * lines; stderr kept for failure messages; stopped with SIGTERM, SIGKILL after 5 s.
 */

export interface DaemonOptions {
  home: string
  network: string
  epochMs?: number
  bootstrap?: string[]
  /** HOST:PORT of the control API (default 127.0.0.1:0) */
  api?: string
  /** libp2p listen addresses (default one loopback TCP port picked by the OS) */
  listen?: string[]
  readyTimeoutMs?: number
  env?: NodeJS.ProcessEnv
  /** LAN discovery by mDNS (default off: tests connect their nodes themselves) */
  mdns?: boolean
}

export interface ReadyInfo {
  peerId: string
  network: string
  apiUrl: string
  /** the listening multiaddrs, each ending in /p2p/<peerId> */
  addresses: string[]
}

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

const READY_RE = /^alara daemon ready: peer (\S+) network (\S+) api (\S+)$/m
const LISTENING_RE = /^ {2}listening (\S+)$/
const STOP_GRACE_MS = 5_000
/** The ready line and its listening lines are one write; allow for a split pipe read. */
const LISTENING_SETTLE_MS = 1_000

/** Every daemon still running, killed if the test process exits without cleanup. */
const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

export function daemonArgs(opts: DaemonOptions): string[] {
  const args = ['daemon', '--home', opts.home, '--network', opts.network]
  for (const ma of opts.listen ?? ['/ip4/127.0.0.1/tcp/0']) args.push('--listen', ma)
  args.push('--api', opts.api ?? '127.0.0.1:0')
  if (opts.mdns !== true) args.push('--no-mdns')
  args.push('--epoch-ms', String(opts.epochMs ?? 1000))
  for (const ma of opts.bootstrap ?? []) args.push('--bootstrap', ma)
  return args
}

export class DaemonProcess {
  readonly home: string
  readonly args: string[]
  readonly child: ChildProcess
  /** settles when the process has exited (never rejects) */
  readonly exited: Promise<ExitInfo>
  /** settles with the ready info, or rejects if it exits or times out first */
  readonly ready: Promise<ReadyInfo>
  #stdout = ''
  #stderr = ''
  #exit: ExitInfo | undefined
  #info: ReadyInfo | undefined

  constructor(opts: DaemonOptions) {
    this.home = opts.home
    this.args = daemonArgs(opts)
    this.child = spawn(process.execPath, [CLI_BIN, ...this.args], {
      env: childEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    live.add(this.child)
    this.child.stdout?.setEncoding('utf8')
    this.child.stderr?.setEncoding('utf8')
    this.child.stderr?.on('data', (chunk: string) => {
      this.#stderr += chunk
    })
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        live.delete(this.child)
        this.#exit = { code, signal }
        resolve(this.#exit)
      })
      this.child.once('error', (err) => {
        live.delete(this.child)
        this.#stderr += `\n(spawn failed: ${err.message})`
        this.#exit = { code: null, signal: null }
        resolve(this.#exit)
      })
    })
    this.ready = this.#waitReady(opts.readyTimeoutMs ?? 30_000)
    // a rejection nobody awaits (e.g. a start that is expected to fail) is not a crash
    this.ready.catch(() => undefined)
  }

  #waitReady(timeoutMs: number): Promise<ReadyInfo> {
    return new Promise((resolve, reject) => {
      let settleTimer: NodeJS.Timeout | undefined
      const finish = (err?: Error): void => {
        clearTimeout(timer)
        clearTimeout(settleTimer)
        this.child.stdout?.off('data', onData)
        if (err !== undefined) reject(err)
        else resolve(this.#parseReady() as ReadyInfo)
      }
      const onData = (chunk: string): void => {
        this.#stdout += chunk
        const info = this.#parseReady()
        if (info === undefined) return
        if (info.addresses.length > 0 && this.#stdout.endsWith('\n')) finish()
        else settleTimer ??= setTimeout(() => finish(), LISTENING_SETTLE_MS)
      }
      const timer = setTimeout(
        () => finish(new Error(`daemon not ready within ${timeoutMs} ms: ${this.describe()}`)),
        timeoutMs,
      )
      this.child.stdout?.on('data', onData)
      void this.exited.then((exit) => {
        if (this.#info === undefined || this.#info.addresses.length === 0)
          finish(
            new Error(
              `daemon exited (code ${exit.code}, signal ${exit.signal}) before it was ready: ${this.describe()}`,
            ),
          )
      })
    })
  }

  #parseReady(): ReadyInfo | undefined {
    const m = READY_RE.exec(this.#stdout)
    if (m === null) return undefined
    const after = this.#stdout.slice(m.index + m[0].length).split('\n')
    const addresses: string[] = []
    for (const line of after.slice(1)) {
      const l = LISTENING_RE.exec(line)
      if (l === null) break
      addresses.push(l[1] as string)
    }
    this.#info = {
      peerId: m[1] as string,
      network: m[2] as string,
      apiUrl: m[3] as string,
      addresses,
    }
    return this.#info
  }

  get info(): ReadyInfo {
    if (this.#info === undefined) throw new Error(`daemon not ready: ${this.describe()}`)
    return this.#info
  }

  get peerId(): string {
    return this.info.peerId
  }

  get apiUrl(): string {
    return this.info.apiUrl
  }

  /** The first listening multiaddr, with /p2p/<id> (what --bootstrap and connect take). */
  get multiaddr(): string {
    const ma = this.info.addresses[0]
    if (ma === undefined) throw new Error(`daemon printed no listening address: ${this.describe()}`)
    return ma.includes('/p2p/') ? ma : `${ma}/p2p/${this.peerId}`
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  get running(): boolean {
    return this.#exit === undefined
  }

  get stdout(): string {
    return this.#stdout
  }

  get stderr(): string {
    return this.#stderr
  }

  describe(): string {
    const tail = (s: string): string => s.trim().split('\n').slice(-15).join('\n    ')
    return [
      `alara ${this.args.join(' ')} (pid ${this.pid})`,
      `  exit: ${this.#exit === undefined ? 'running' : JSON.stringify(this.#exit)}`,
      `  stdout: ${tail(this.#stdout) || '(empty)'}`,
      `  stderr: ${tail(this.#stderr) || '(empty)'}`,
    ].join('\n')
  }

  /** SIGTERM, then SIGKILL when it is still running after 5 s. */
  async stop(): Promise<ExitInfo> {
    if (this.#exit !== undefined) return this.#exit
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS)
    const exit = await this.exited
    clearTimeout(timer)
    return exit
  }

  /** kill -9: no clean-up by the daemon (stale lock and api file stay behind). */
  async kill9(): Promise<ExitInfo> {
    if (this.#exit !== undefined) return this.#exit
    this.child.kill('SIGKILL')
    return this.exited
  }
}

/** Spawns a daemon without waiting: for starts that are expected to fail. */
export function spawnDaemon(opts: DaemonOptions): DaemonProcess {
  return new DaemonProcess(opts)
}

/** Spawns a daemon and waits for its ready line; kills it if it never gets ready. */
export async function startDaemon(opts: DaemonOptions): Promise<DaemonProcess> {
  const d = new DaemonProcess(opts)
  try {
    await d.ready
  } catch (err) {
    await d.kill9()
    throw err
  }
  return d
}
