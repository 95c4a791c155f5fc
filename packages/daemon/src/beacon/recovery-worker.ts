import { parentPort } from 'node:worker_threads'
import { evaluateTimelock } from '@alara/protocol'

/**
 * The recovery thread (DESIGN.md "Recover"): T squarings of X and Wesolowski's proof, off
 * the daemon's main thread so that it keeps serving while it recovers. One job at a time
 * (the runner sends the next when one ends); progress, then the result; a job is aborted
 * by terminating the thread (the runner starts another for the next job). Erasable
 * TypeScript and one package import, so Node runs it from src/ (tests) as from dist/.
 */
export interface RecoveryJob {
  id: number
  /** X, hex */
  x: string
  T: number
}

export type RecoveryThreadMessage =
  | { kind: 'progress'; id: number; phase: 'squarings' | 'proof'; done: number; total: number }
  | { kind: 'done'; id: number; y: string; proof: string }
  | { kind: 'failed'; id: number; message: string }

const port = parentPort
if (port !== null)
  port.on('message', (job: RecoveryJob) => {
    evaluateTimelock(BigInt(`0x${job.x}`), job.T, {
      onProgress: (p) =>
        port.postMessage({ kind: 'progress', id: job.id, ...p } satisfies RecoveryThreadMessage),
    })
      .then((out) =>
        port.postMessage({
          kind: 'done',
          id: job.id,
          y: out.y.toString(16),
          proof: out.proof.toString(16),
        } satisfies RecoveryThreadMessage),
      )
      .catch((err: Error) =>
        port.postMessage({
          kind: 'failed',
          id: job.id,
          message: err.message,
        } satisfies RecoveryThreadMessage),
      )
  })
