import { Worker } from 'node:worker_threads'
import { Queue } from '@libp2p/utils'
import type { RecoveryInput, RecoveryThreadMessage } from './recovery-worker.js'

/**
 * Runs recoveries (T squarings and a proof) in a worker thread, at most one at a time
 * (DESIGN.md: "at most one recovery running, queued otherwise"), each cancellable by its
 * AbortSignal (a valid recovery from a peer arrived): the thread is terminated at once.
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
  private readonly running = new Set<Worker>()

  constructor(private readonly workerUrl: URL = WORKER_URL) {}

  /** Recoveries running or queued. */
  get size(): number {
    return this.queue.size
  }

  /** y = |X^(2^T)| and its proof, computed in a thread; rejects when `signal` aborts. */
  run(
    x: bigint,
    T: number,
    signal: AbortSignal,
    onProgress?: (p: RecoveryProgress) => void,
  ): Promise<{ y: bigint; proof: bigint }> {
    return this.queue.add(() => this.inThread({ x: x.toString(16), T }, signal, onProgress), {
      signal,
    })
  }

  private inThread(
    input: RecoveryInput,
    signal: AbortSignal,
    onProgress?: (p: RecoveryProgress) => void,
  ): Promise<{ y: bigint; proof: bigint }> {
    signal.throwIfAborted()
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.workerUrl, { workerData: input })
      this.running.add(worker)
      const end = (): void => {
        signal.removeEventListener('abort', abort)
        this.running.delete(worker)
        void worker.terminate()
      }
      const abort = (): void => {
        end()
        reject(signal.reason)
      }
      signal.addEventListener('abort', abort, { once: true })
      worker.on('message', (m: RecoveryThreadMessage) => {
        if (m.kind === 'progress') onProgress?.(m)
        else {
          end()
          if (m.kind === 'done') resolve({ y: BigInt(`0x${m.y}`), proof: BigInt(`0x${m.proof}`) })
          else reject(new Error(`recovery thread: ${m.message}`))
        }
      })
      worker.on('error', (err) => {
        end()
        reject(err)
      })
      worker.on('exit', (code) => {
        if (this.running.has(worker)) {
          end()
          reject(new Error(`recovery thread exited with code ${code}`))
        }
      })
    })
  }

  /** Ends every running recovery and drops the queued ones. */
  async stop(): Promise<void> {
    this.queue.clear()
    this.queue.abort()
    await Promise.all([...this.running].map((w) => w.terminate()))
    this.running.clear()
  }
}
