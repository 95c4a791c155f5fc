import { type ChildProcess, spawn } from 'node:child_process'
import { CLI_BIN, childEnv } from './paths.js'

/**
 * A long-running CLI command (`alara watch`) as a user runs it: its stdout split into
 * lines as they come, waited on with a deadline; stopped with SIGINT like Ctrl-C.
 */
export class StreamingCli {
  readonly child: ChildProcess
  readonly lines: string[] = []
  stderr = ''
  readonly exited: Promise<number | null>
  #partial = ''
  #waiters: Array<() => void> = []

  constructor(argv: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [CLI_BIN, ...argv], {
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child.stdout?.setEncoding('utf8')
    this.child.stdout?.on('data', (chunk: string) => {
      const parts = (this.#partial + chunk).split('\n')
      this.#partial = parts.pop() ?? ''
      this.lines.push(...parts)
      for (const w of this.#waiters.splice(0)) w()
    })
    this.child.stderr?.setEncoding('utf8')
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk
    })
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code) => {
        resolve(code)
        for (const w of this.#waiters.splice(0)) w()
      })
    })
  }

  /** The first line (from `from` on) that `accept` takes; throws after `timeoutMs`. */
  waitLine(accept: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no line with ${what} within ${timeoutMs} ms; ${this.describe()}`))
      }, timeoutMs)
      const check = (): void => {
        const found = this.lines.find(accept)
        if (found !== undefined) {
          clearTimeout(timer)
          resolve(found)
        } else if (this.child.exitCode !== null) {
          clearTimeout(timer)
          reject(new Error(`exited before a line with ${what}; ${this.describe()}`))
        } else this.#waiters.push(check)
      }
      check()
    })
  }

  describe(): string {
    return `exit ${this.child.exitCode}; stderr: ${this.stderr.trim() || '(empty)'}; stdout: ${this.lines.slice(-10).join(' | ') || '(empty)'}`
  }

  /** Ctrl-C; resolves with the exit status (SIGKILL after 10 s). */
  async interrupt(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGINT')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000)
    try {
      return await this.exited
    } finally {
      clearTimeout(timer)
    }
  }
}
