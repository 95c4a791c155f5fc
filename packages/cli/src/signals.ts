import { EXIT_INTERRUPTED } from './errors.js'
import type { Io, StopSignal } from './io.js'

export interface Shutdown {
  /** Resolves on the first SIGINT/SIGTERM. */
  readonly requested: Promise<StopSignal>
  dispose(): void
}

/**
 * First SIGINT/SIGTERM asks for a graceful stop; a second one runs `onForce` (last-moment
 * cleanup, must be synchronous) and exits at once with 130, as Lodestar and kubo do.
 */
export function watchShutdown(io: Io, onForce: (signal: StopSignal) => void = () => {}): Shutdown {
  let first = true
  let resolve: (signal: StopSignal) => void = () => {}
  const requested = new Promise<StopSignal>((r) => {
    resolve = r
  })
  const dispose = io.onStopSignal((signal) => {
    if (first) {
      first = false
      resolve(signal)
      return
    }
    onForce(signal)
    io.exit(EXIT_INTERRUPTED)
  })
  return { requested, dispose }
}
