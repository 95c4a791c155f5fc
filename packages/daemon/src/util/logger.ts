/**
 * The daemon's own log lines (stderr). libp2p's internals keep their `debug` loggers,
 * turned on with DEBUG=libp2p:*; ours with ALARA_LOG=debug. A component logs through
 * `forComponent(log, 'alara:sync')`, which prefixes its lines; debug lines may be given
 * as a function, called only when debug is on (nothing formatted on a hot path otherwise).
 */
export type LogMessage = string | (() => string)

export interface Logger {
  debug(message: LogMessage): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
  /** true when debug lines are written; unknown (undefined) means assume they are */
  readonly debugEnabled?: boolean
}

const text = (m: LogMessage): string => (typeof m === 'function' ? m() : m)

export function consoleLogger(level = process.env.ALARA_LOG ?? 'info'): Logger {
  const debugOn = level === 'debug'
  const line = (tag: string, message: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${tag} ${message}\n`)
  }
  return {
    debugEnabled: debugOn,
    debug: (m) => {
      if (debugOn) line('DEBUG', text(m))
    },
    info: (m) => line('INFO ', m),
    warn: (m) => line('WARN ', m),
    error: (m) => line('ERROR', m),
  }
}

export const silentLogger: Logger = {
  debugEnabled: false,
  debug() {},
  info() {},
  warn() {},
  error() {},
}

/** A logger whose lines start with `name:` (e.g. `alara:sync`). */
export function forComponent(base: Logger, name: string): Logger {
  const tag = (m: string): string => `${name}: ${m}`
  return {
    debugEnabled: base.debugEnabled,
    debug: (m) => {
      if (base.debugEnabled === false) return
      base.debug(() => tag(text(m)))
    },
    info: (m) => base.info(tag(m)),
    warn: (m) => base.warn(tag(m)),
    error: (m) => base.error(tag(m)),
  }
}

/** Builds a component's logger by name: what every service receives. */
export type ComponentLoggerFactory = (name: string) => Logger
