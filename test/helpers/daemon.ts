import { DaemonChild, type ExitInfo, type ReadyInfo } from '@alara/cli'
import { childEnv } from './paths.js'

/**
 * A real `alara daemon --json` process, run by the CLI package's harness (the same one
 * `alara devnet` uses): ready once it printed its JSON ready line, waited for with a
 * deadline; its output kept for failure messages; stopped with SIGTERM, SIGKILL after 5 s.
 */

export type { ExitInfo, ReadyInfo }

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
  /** another checkout's built CLI (a soak comparing versions); default this checkout's */
  binPath?: string
}

const STOP_GRACE_MS = 5_000
/** Generous: on a busy two-core machine a daemon can take many seconds to start. */
const READY_TIMEOUT_MS = 90_000

/** Every daemon still running, killed if the test process exits without cleanup. */
const live = new Set<DaemonChild>()
process.once('exit', () => {
  for (const child of live) child.signal('SIGKILL')
})

export function daemonArgs(opts: DaemonOptions): string[] {
  const args = ['daemon', '--home', opts.home, '--network', opts.network, '--json']
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
  readonly child: DaemonChild
  /** settles when the process has exited (never rejects) */
  readonly exited: Promise<ExitInfo>
  /** settles with the ready info, or rejects if it exits or times out first */
  readonly ready: Promise<ReadyInfo>
  #stdout = ''
  #stderr = ''

  constructor(opts: DaemonOptions) {
    this.home = opts.home
    this.args = daemonArgs(opts)
    this.child = new DaemonChild({
      args: this.args,
      ...(opts.binPath !== undefined ? { binPath: opts.binPath } : {}),
      env: childEnv(opts.env),
      label: `daemon ${opts.home}`,
      onOutput: (stream, text) => {
        if (stream === 'stdout') this.#stdout += text
        else this.#stderr += text
      },
    })
    live.add(this.child)
    this.exited = this.child.exited
    void this.exited.then(() => live.delete(this.child))
    this.ready = this.child.ready(opts.readyTimeoutMs ?? READY_TIMEOUT_MS)
    // a rejection nobody awaits (e.g. a start that is expected to fail) is not a crash
    this.ready.catch(() => undefined)
  }

  get info(): ReadyInfo {
    const info = this.child.info
    if (info === undefined) throw new Error(`daemon not ready: ${this.describe()}`)
    return info
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
    return this.child.running
  }

  get stdout(): string {
    return this.#stdout
  }

  get stderr(): string {
    return this.#stderr
  }

  describe(): string {
    const tail = (s: string): string => s.trim().split('\n').slice(-15).join('\n    ')
    const exit = this.child.exit
    return [
      `alara ${this.args.join(' ')} (pid ${this.pid})`,
      `  exit: ${exit === undefined ? 'running' : JSON.stringify(exit)}`,
      `  stdout: ${tail(this.#stdout) || '(empty)'}`,
      `  stderr: ${tail(this.#stderr) || '(empty)'}`,
    ].join('\n')
  }

  /** SIGTERM, then SIGKILL when it is still running after 5 s. */
  stop(): Promise<ExitInfo> {
    return this.child.stop(STOP_GRACE_MS)
  }

  /** kill -9: no clean-up by the daemon (stale lock and api file stay behind). */
  kill9(): Promise<ExitInfo> {
    return this.child.kill()
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
    throw new Error(`${(err as Error).message}\n${d.describe()}`)
  }
  return d
}
