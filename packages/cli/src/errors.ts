import type { Command } from 'commander'

/**
 * A failure the CLI reports as one line, `alara: <message> (<code>)`, exit status 1.
 * `status` is the HTTP status when the daemon answered with an error.
 */
export class CliError extends Error {
  readonly code: string
  readonly status: number | undefined

  constructor(code: string, message: string, options?: ErrorOptions & { status?: number }) {
    super(message, options)
    this.name = 'CliError'
    this.code = code
    this.status = options?.status
  }
}

/** Wrong usage: the message and the command's usage line, exit status 2. */
export class UsageError extends Error {
  readonly command: Command

  constructor(command: Command, message: string) {
    super(message)
    this.name = 'UsageError'
    this.command = command
  }
}

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
/** A second SIGINT/SIGTERM forces the exit, as shells report Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130

/** Duck-typed so AlaraError (daemon, protocol) and Node system errors keep their code. */
export function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const { code } = err as { code: unknown }
    if (typeof code === 'string' && code.length > 0) return code
  }
  return 'ERR_INTERNAL'
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.message
  return String(err)
}

/** The one stderr line for a failure. */
export function formatFailure(err: unknown): string {
  return `alara: ${errorMessage(err)} (${errorCode(err)})`
}
