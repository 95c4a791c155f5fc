import { execFile } from 'node:child_process'
import { CLI_BIN, childEnv } from './paths.js'

/** What a CLI run gave: exit status, both streams, and stdout parsed when it is JSON. */
export interface CliResult {
  /** exit status; null when killed by a signal (e.g. the timeout) */
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** stdout parsed as JSON, undefined when it is not */
  json: unknown
  /** the command line, for failure messages */
  command: string
}

export interface CliOptions {
  /** add --json (default true) */
  json?: boolean
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
}

/**
 * Runs `node packages/cli/dist/bin.js --home HOME ARGS… [--json]` as a user would and
 * never throws for a non-zero exit: callers assert on the result.
 */
export function runCli(home: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const argv = ['--home', home, ...args, ...(opts.json === false ? [] : ['--json'])]
  return runCliRaw(argv, opts)
}

/** Same, with the argument list exactly as given (no --home, no --json added). */
export function runCliRaw(argv: string[], opts: CliOptions = {}): Promise<CliResult> {
  const command = `alara ${argv.join(' ')}`
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...argv],
      {
        timeout: opts.timeoutMs ?? 60_000,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
        env: childEnv(opts.env),
      },
      (error, stdout, stderr) => {
        let code: number | null = 0
        let signal: NodeJS.Signals | null = null
        if (error !== null) {
          const e = error as NodeJS.ErrnoException & { code?: unknown; signal?: NodeJS.Signals }
          code = typeof e.code === 'number' ? e.code : null
          signal = e.signal ?? null
        }
        let json: unknown
        try {
          json = stdout.trim() === '' ? undefined : JSON.parse(stdout)
        } catch {
          json = undefined
        }
        resolve({ code, signal, stdout, stderr, json, command })
      },
    )
  })
}

/** One-line summary of a run for assertion messages. */
export function describeRun(r: CliResult): string {
  return `${r.command} -> exit ${r.code ?? r.signal}; stderr: ${r.stderr.trim() || '(empty)'}; stdout: ${r.stdout.trim().slice(0, 500) || '(empty)'}`
}

/**
 * Runs a command that must succeed and returns its parsed --json output; a failure
 * throws with the command, exit status and stderr.
 */
export async function cliJson<T>(home: string, args: string[], opts: CliOptions = {}): Promise<T> {
  const r = await runCli(home, args, opts)
  if (r.code !== 0 || r.json === undefined) throw new Error(`expected success: ${describeRun(r)}`)
  return r.json as T
}

/** The non-empty lines of a stream. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '')
}
