/**
 * Everything the CLI touches outside itself, so that commands can be run in-process by
 * tests with captured streams, a chosen environment and fake signals.
 */
export interface OutStream {
  write(chunk: string | Uint8Array): unknown
  isTTY?: boolean
}

export type StopSignal = 'SIGINT' | 'SIGTERM'

export interface Io {
  stdout: OutStream
  stderr: OutStream
  stdin: NodeJS.ReadableStream
  env: NodeJS.ProcessEnv
  /** Calls `handler` on each SIGINT/SIGTERM until the returned function is called. */
  onStopSignal(handler: (signal: StopSignal) => void): () => void
  /** Ends the process at once (second signal); never returns. */
  exit(code: number): never
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    onStopSignal(handler) {
      process.on('SIGINT', handler)
      process.on('SIGTERM', handler)
      return () => {
        process.off('SIGINT', handler)
        process.off('SIGTERM', handler)
      }
    },
    exit: (code) => process.exit(code),
  }
}
