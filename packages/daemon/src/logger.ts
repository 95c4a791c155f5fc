/**
 * The daemon's own log lines (stderr). libp2p's internals keep their `debug` loggers,
 * turned on with DEBUG=libp2p:*; ours with ALARA_LOG=debug.
 */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

export function consoleLogger(level = process.env.ALARA_LOG ?? 'info'): Logger {
  const debugOn = level === 'debug'
  const line = (tag: string, message: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${tag} ${message}\n`)
  }
  return {
    debug: (m) => {
      if (debugOn) line('DEBUG', m)
    },
    info: (m) => line('INFO ', m),
    warn: (m) => line('WARN ', m),
    error: (m) => line('ERROR', m),
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
