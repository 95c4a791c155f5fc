/**
 * Process-wide last resort for the daemon process: an unhandled rejection or an uncaught
 * exception is a bug, and a daemon that carries on after one may be in any state. It is
 * logged with its stack, the daemon gets a bounded chance to stop (lock released, store
 * flushed), and the process ends with FATAL_EXIT_CODE so a supervisor restarts it.
 */

export const FATAL_EXIT_CODE = 70 // EX_SOFTWARE
export const FATAL_STOP_TIMEOUT_MS = 5_000

type Listener = (reason: unknown) => void

/** The part of `process` the handlers need; tests pass an EventEmitter. */
export interface FatalEmitter {
  on(event: 'unhandledRejection' | 'uncaughtException', listener: Listener): unknown
  off(event: 'unhandledRejection' | 'uncaughtException', listener: Listener): unknown
}

export interface FatalOptions {
  emitter: FatalEmitter
  log: (line: string) => void
  /** best-effort stop of what runs (undefined while nothing does) */
  stop: () => Promise<void> | undefined
  exit: (code: number) => void
  stopTimeoutMs?: number
}

export function describeFatal(reason: unknown): string {
  if (reason instanceof Error) return reason.stack ?? `${reason.name}: ${reason.message}`
  try {
    return `non-error value ${JSON.stringify(reason)}`
  } catch {
    return `non-error value ${String(reason)}`
  }
}

/** Installs the handlers; returns their removal. */
export function installFatalHandlers(opts: FatalOptions): () => void {
  const timeoutMs = opts.stopTimeoutMs ?? FATAL_STOP_TIMEOUT_MS
  let failing = false
  const fail = (kind: string, reason: unknown): void => {
    opts.log(`alara: fatal: ${kind}: ${describeFatal(reason)}`)
    if (failing) return // a second one while stopping: the exit is already on its way
    failing = true
    let stopping: Promise<void> | undefined
    try {
      stopping = opts.stop()
    } catch (err) {
      opts.log(`alara: fatal: stop failed: ${describeFatal(err)}`)
    }
    let timer: NodeJS.Timeout | undefined
    const bounded = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        opts.log(`alara: fatal: the daemon did not stop within ${timeoutMs} ms`)
        resolve()
      }, timeoutMs)
      timer.unref?.()
    })
    const stopped = (stopping ?? Promise.resolve()).catch((err: unknown) =>
      opts.log(`alara: fatal: stop failed: ${describeFatal(err)}`),
    )
    void Promise.race([stopped, bounded]).then(() => {
      clearTimeout(timer)
      opts.log(`alara: exiting with code ${FATAL_EXIT_CODE} after a fatal error`)
      opts.exit(FATAL_EXIT_CODE)
    })
  }
  const onRejection: Listener = (reason) => fail('unhandled rejection', reason)
  const onException: Listener = (err) => fail('uncaught exception', err)
  opts.emitter.on('unhandledRejection', onRejection)
  opts.emitter.on('uncaughtException', onException)
  return () => {
    opts.emitter.off('unhandledRejection', onRejection)
    opts.emitter.off('uncaughtException', onException)
  }
}
