import { Worker } from 'node:worker_threads'
import { Queue } from '@libp2p/utils'
import type { RecoveryThreadMessage } from './recovery-worker.js'

/**
 * Runs recoveries (T squarings and a proof) in a worker thread, at most one at a time
 * (DESIGN.md: "at most one recovery running, queued otherwise"), each cancellable by its
 * AbortSignal (a valid recovery from a peer arrived): the thread is terminated at once
 * and a new one started for the next job. The thread is kept between jobs (loading it
 * costs more than a recovery at a small T).
 */

export const RECOVERY_LIMITS = Object.freeze({
  /** recoveries queued behind the running one; more are refused (a later epoch retries) */
  queued: 16,
})

const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './recovery-worker.ts' : './recovery-worker.js',
  import.meta.url,
)

export interface RecoveryProgress {
  phase: 'squarings' | 'proof'
  done: number
  total: number
}

export class RecoveryRunner {
  private readonly queue = new Queue<{ y: bigint; proof: bigint }>({
    concurrency: 1,
    maxSize: RECOVERY_LIMITS.queued + 1,
  })
  private worker: Worker | undefined
  private nextId = 1

  constructor(private readonly workerUrl: URL = WORKER_URL) {}

  /** Recoveries running or queued. */
  get size(): number {
    return this.queue.size
  }

  /** y = |X^(2^T)| and its proof, computed in the thread; rejects when `signal` aborts. */
  run(
    x: bigint,
    T: number,
    signal: AbortSignal,
    onProgress?: (p: RecoveryProgress) => void,
  ): Promise<{ y: bigint; proof: bigint }> {
    return this.queue.add(() => this.inThread(x, T, signal, onProgress), { signal })
  }

  private thread(): Worker {
    if (this.worker === undefined) {
      const worker = new Worker(this.workerUrl)
      worker.unref()
      worker.on('exit', () => {
        if (this.worker === worker) this.worker = undefined
      })
      this.worker = worker
    }
    return this.worker
  }

  private inThread(
    x: bigint,
    T: number,
    signal: AbortSignal,
    onProgress?: (p: RecoveryProgress) => void,
  ): Promise<{ y: bigint; proof: bigint }> {
    signal.throwIfAborted()
    const worker = this.thread()
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const end = (): void => {
        signal.removeEventListener('abort', abort)
        worker.off('message', onMessage)
        worker.off('error', onError)
        worker.off('exit', onExit)
      }
      const abort = (): void => {
        end()
        // the squarings cannot be interrupted from outside: the thread goes
        if (this.worker === worker) this.worker = undefined
        void worker.terminate()
        reject(signal.reason)
      }
      const onMessage = (m: RecoveryThreadMessage): void => {
        if (m.id !== id) return
        if (m.kind === 'progress') {
          onProgress?.(m)
          return
        }
        end()
        if (m.kind === 'done') resolve({ y: BigInt(`0x${m.y}`), proof: BigInt(`0x${m.proof}`) })
        else reject(new Error(`recovery thread: ${m.message}`))
      }
      const onError = (err: Error): void => {
        end()
        reject(err)
      }
      const onExit = (code: number): void => {
        end()
        reject(new Error(`recovery thread exited with code ${code}`))
      }
      signal.addEventListener('abort', abort, { once: true })
      worker.on('message', onMessage)
      worker.on('error', onError)
      worker.on('exit', onExit)
      worker.postMessage({ id, x: x.toString(16), T })
    })
  }

  /** Ends the thread (a running recovery with it) and drops the queued ones. */
  async stop(): Promise<void> {
    this.queue.clear()
    this.queue.abort()
    const worker = this.worker
    this.worker = undefined
    await worker?.terminate()
  }
}
