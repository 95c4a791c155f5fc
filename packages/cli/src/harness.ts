import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { ReadyInfo } from '@alara/daemon'
import { CliError } from './errors.js'
import { NODE_FLAGS } from './node-flags.js'

/**
 * One `alara daemon --json` child process, as `alara devnet` and the multi-daemon tests
 * run it (with the V8 flags of node-flags.ts, as the `alara` command runs): ready once it printed the JSON ready line (`{"event":"ready",…}`), waited for
 * with a deadline; all its output goes to `onOutput`; stopped with SIGTERM, then
 * SIGKILL after a grace period.
 */

export type { ReadyInfo }

/** The built CLI beside this module, from src/ (tests) and dist/ alike. */
export const CLI_BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface DaemonChildInit {
  /** arguments after the CLI entry point, e.g. ['daemon', '--home', H, '--json', …] */
  args: string[]
  /** node binary and CLI entry point (default: this Node and the built CLI) */
  nodePath?: string
  binPath?: string
  env?: NodeJS.ProcessEnv
  /** its own process group, so a Ctrl-C in the terminal reaches only the parent */
  detached?: boolean
  /** names the child in errors, e.g. `devnet node 2` */
  label?: string
  /** code of the error `ready()` rejects with (default ERR_DAEMON_START) */
  errorCode?: string
  /** everything the child prints: stderr chunks and stdout lines (the ready line too) */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void
}

const TAIL_LINES = 20

/** The ready line's object, or undefined for any other line (log noise, partial writes). */
export function parseReadyLine(line: string): ReadyInfo | undefined {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const v = value as Record<string, unknown>
  const ok =
    v.event === 'ready' &&
    typeof v.peerId === 'string' &&
    typeof v.network === 'string' &&
    typeof v.apiUrl === 'string' &&
    typeof v.home === 'string' &&
    Array.isArray(v.addresses) &&
    v.addresses.every((a) => typeof a === 'string')
  return ok ? (value as ReadyInfo) : undefined
}

export class DaemonChild {
  readonly args: string[]
  readonly label: string
  readonly process: ChildProcess
  /** settles once the process has exited and its streams are read (never rejects) */
  readonly exited: Promise<ExitInfo>
  readonly #init: DaemonChildInit
  readonly #tail: string[] = []
  #exit: ExitInfo | undefined
  #ready: Promise<ReadyInfo> | undefined
  #info: ReadyInfo | undefined
  /** set while ready() waits */
  #onReady: ((info: ReadyInfo) => void) | undefined

  constructor(init: DaemonChildInit) {
    this.#init = init
    this.args = init.args
    this.label = init.label ?? 'daemon'
    this.process = spawn(
      init.nodePath ?? process.execPath,
      [...NODE_FLAGS, init.binPath ?? CLI_BIN, ...init.args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: init.detached === true,
        env: init.env,
      },
    )
    this.exited = new Promise((resolve) => {
      // 'close' rather than 'exit': stderr is fully read by then, for the error message
      this.process.once('close', (code, signal) => {
        this.#exit ??= { code, signal }
        resolve(this.#exit)
      })
      this.process.once('error', (err) => {
        this.#record('stderr', `(spawn failed: ${err.message})\n`)
        this.#exit ??= { code: null, signal: null }
        resolve(this.#exit)
      })
    })
    this.process.stderr?.setEncoding('utf8')
    this.process.stderr?.on('data', (chunk: string) => this.#record('stderr', chunk))
    // read from the start, so no line is lost before someone waits for the ready line
    if (this.process.stdout !== null)
      createInterface({ input: this.process.stdout }).on('line', (line) => {
        if (this.#info === undefined) {
          const info = parseReadyLine(line)
          if (info !== undefined) {
            this.#info = info
            this.#onReady?.(info)
          }
        }
        this.#record('stdout', `${line}\n`)
      })
  }

  #record(stream: 'stdout' | 'stderr', text: string): void {
    this.#init.onOutput?.(stream, text)
    if (stream === 'stdout') return
    for (const line of text.split('\n')) if (line.trim() !== '') this.#tail.push(line)
    this.#tail.splice(0, Math.max(0, this.#tail.length - TAIL_LINES))
  }

  get running(): boolean {
    return this.#exit === undefined
  }

  get exit(): ExitInfo | undefined {
    return this.#exit
  }

  get pid(): number | undefined {
    return this.process.pid
  }

  /** The ready line's content, once printed. */
  get info(): ReadyInfo | undefined {
    return this.#info
  }

  /** The child's last stderr line, without its own `alara: ` prefix. */
  lastLine(): string {
    return (this.#tail.at(-1) ?? '(no output)').replace(/^alara: /, '')
  }

  /**
   * The ready line, or a CliError when the child exits first or prints none within
   * `timeoutMs`. The same promise for every caller.
   */
  ready(timeoutMs: number, hint = ''): Promise<ReadyInfo> {
    this.#ready ??= new Promise<ReadyInfo>((resolve, reject) => {
      const code = this.#init.errorCode ?? 'ERR_DAEMON_START'
      let done = false
      const finish = (err: Error | undefined, info?: ReadyInfo): void => {
        if (done) return
        done = true
        clearTimeout(timer)
        this.#onReady = undefined
        if (err !== undefined) reject(err)
        else resolve(info as ReadyInfo)
      }
      const timer = setTimeout(
        () =>
          finish(
            new CliError(
              code,
              `${this.label} was not ready within ${timeoutMs / 1000} s${hint}: ${this.lastLine()}`,
            ),
          ),
        timeoutMs,
      )
      if (this.#info !== undefined) finish(undefined, this.#info)
      else this.#onReady = (info) => finish(undefined, info)
      void this.exited.then(({ code: status, signal }) =>
        finish(
          new CliError(
            code,
            `${this.label} exited before it was ready (${signal ?? `code ${status}`}): ${this.lastLine()}`,
          ),
        ),
      )
    })
    return this.#ready
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.process.kill(signal)
  }

  /** SIGTERM, then SIGKILL when it has not exited within `graceMs`. */
  async stop(graceMs: number): Promise<ExitInfo> {
    if (this.#exit !== undefined) return this.#exit
    this.signal('SIGTERM')
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs)
    const exit = await this.exited
    clearTimeout(timer)
    return exit
  }

  /** SIGKILL: no clean-up by the daemon (its lock and api file stay behind). */
  kill(): Promise<ExitInfo> {
    this.signal('SIGKILL')
    return this.exited
  }
}
