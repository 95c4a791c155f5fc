import { parentPort, workerData } from 'node:worker_threads'
import { evaluateTimelock } from '@alara/protocol'

/**
 * A recovery thread (DESIGN.md "Recover"): T squarings of X and Wesolowski's proof, off
 * the daemon's main thread so that it keeps serving while it recovers. Started per
 * recovery with its input as workerData; posts progress, then the result, and is ended
 * by its parent (terminate() aborts it). Erasable TypeScript and one package import, so
 * Node runs it from src/ (tests) as from dist/.
 */
export interface RecoveryInput {
  /** X, hex */
  x: string
  T: number
}

export type RecoveryThreadMessage =
  | { kind: 'progress'; phase: 'squarings' | 'proof'; done: number; total: number }
  | { kind: 'done'; y: string; proof: string }
  | { kind: 'failed'; message: string }

const port = parentPort
if (port !== null) {
  const input = workerData as RecoveryInput
  evaluateTimelock(BigInt(`0x${input.x}`), input.T, {
    onProgress: (p) => port.postMessage({ kind: 'progress', ...p } satisfies RecoveryThreadMessage),
  })
    .then((out) =>
      port.postMessage({
        kind: 'done',
        y: out.y.toString(16),
        proof: out.proof.toString(16),
      } satisfies RecoveryThreadMessage),
    )
    .catch((err: Error) =>
      port.postMessage({ kind: 'failed', message: err.message } satisfies RecoveryThreadMessage),
    )
}
