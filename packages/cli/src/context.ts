import type { Command } from 'commander'
import { ApiClient, type ClientOptions, normalizeApiUrl, resolveHome } from './client.js'
import { UsageError } from './errors.js'
import type { Io } from './io.js'
import { writeJson, writeText } from './output.js'

/** The global flags, valid after any command: `alara pool --json` = `alara --json pool`. */
export interface GlobalOptions {
  home?: string
  api?: string
  json: boolean
  debug: boolean
}

/** What every command module gets: the process surface and the shared plumbing. */
export class Context {
  readonly io: Io
  readonly clientOptions: ClientOptions

  constructor(io: Io, clientOptions: ClientOptions = {}) {
    this.io = io
    this.clientOptions = clientOptions
  }

  globals(cmd: Command): GlobalOptions {
    const all = cmd.optsWithGlobals<Partial<GlobalOptions>>()
    return { home: all.home, api: all.api, json: all.json === true, debug: all.debug === true }
  }

  /** The repo directory a command acts on: --home, else $ALARA_HOME, else ~/.alara. */
  home(cmd: Command): string {
    return resolveHome(this.globals(cmd).home, this.io.env)
  }

  async client(cmd: Command): Promise<ApiClient> {
    const { home, api } = this.globals(cmd)
    if (api !== undefined && normalizeApiUrl(api) === undefined) {
      throw new UsageError(cmd, `--api ${api} is not an http URL or HOST:PORT`)
    }
    return ApiClient.connect({ home, api, env: this.io.env }, this.clientOptions)
  }

  /** `--json`: the value as one document; otherwise the human rendering. */
  print<T>(cmd: Command, value: T, render: (value: T) => string): void {
    if (this.globals(cmd).json) writeJson(this.io.stdout, value)
    else writeText(this.io.stdout, render(value))
  }

  /** A line for people that must not pollute stdout (progress, hints). */
  note(message: string): void {
    this.io.stderr.write(`${message}\n`)
  }
}
