import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { checkSignature, type SignatureCheck } from '@alara/protocol'
import type { Startable } from '../components.js'
import { VerifyPoolBusyError, VerifyPoolStoppedError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { VerifyAnswer, VerifyBatch } from './worker.js'

/**
 * Where the receive path sends its Ed25519 checks. The in-thread verifier is the
 * fallback (and what unit tests of services use); the VerifyPool spreads the work over
 * every core.
 */
export interface SignatureVerifier {
  verify(check: SignatureCheck): Promise<boolean>
}

export const inThreadVerifier: SignatureVerifier = {
  verify: async (check) => checkSignature(check),
}

export interface VerifyPoolInit {
  /** worker threads; default: one per core (os.availableParallelism()) */
  threads?: number
  /** checks sent to a thread in one message */
  maxBatch?: number
  /**
   * Checks waiting for a thread, at most. Beyond it verify() rejects at once with
   * VerifyPoolBusyError (the caller sheds the message, as Lodestar's bounded gossip queues
   * do): memory stays bounded and the main thread never stalls on a flood's verifies.
   */
  maxQueued?: number
  /** the worker module (tests substitute one) */
  workerUrl?: URL
  logger?: Logger
}

export interface VerifyPoolStats {
  threads: number
  queued: number
  inFlight: number
  /** checks verified by the threads */
  pooled: number
  /** checks verified on the calling thread: a lone check on a quiet node, or stopped */
  inline: number
  /** checks refused because the queue was full */
  shed: number
  /** threads that died and were replaced */
  replaced: number
  /** the longest the queue has been */
  maxQueuedSeen: number
}

interface Pending {
  check: SignatureCheck
  resolve(valid: boolean): void
  reject(err: Error): void
}

interface Thread {
  worker: Worker
  /** batches sent and not yet answered, by id (at most BATCHES_PER_THREAD) */
  batches: Map<number, Pending[]>
}

/**
 * Two batches per thread: the thread starts the second while the main thread, busy with
 * the network, has not yet read the first answer (with one, a busy main thread left the
 * threads idle: the profile of a flood showed them ~95 % idle).
 */
const BATCHES_PER_THREAD = 2

/**
 * A check that comes this long after the previous one, to idle threads, is verified in
 * the calling thread (a thread hop costs more than one verify); any steadier stream (more
 * than ~50 checks/s) goes to the threads, so a flood never lands on the main thread.
 */
const QUIET_GAP_MS = 20

/**
 * A thread holds a batch or two of checks: a small young generation keeps its heap (and
 * the process RSS) small; the default lets each grow by tens of MB of garbage.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 }

const DEFAULT_WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js',
  import.meta.url,
)

/**
 * Ed25519 verification on worker threads, one per core, batched: a thread takes every
 * queued check (up to maxBatch) when it becomes free, so batches grow with the load and a
 * quiet node sends single checks. A lone check while every thread is idle is verified in
 * the calling thread (a thread hop costs more than the verify). A thread that dies has its
 * batch verified in the calling thread and is replaced. stop() rejects what is pending.
 */
export class VerifyPool implements SignatureVerifier, Startable {
  private readonly size: number
  private readonly maxBatch: number
  private readonly maxQueued: number
  private readonly workerUrl: URL
  private readonly threads: Thread[] = []
  private queue: Pending[] = []
  private running = false
  private flushScheduled = false
  private lastCheckAt = Number.NEGATIVE_INFINITY
  private nextBatchId = 0
  private readonly counts = { pooled: 0, inline: 0, shed: 0, replaced: 0, maxQueuedSeen: 0 }

  constructor(private readonly init: VerifyPoolInit = {}) {
    this.size = Math.max(1, init.threads ?? availableParallelism())
    this.maxBatch = Math.max(1, init.maxBatch ?? 256)
    this.maxQueued = Math.max(1, init.maxQueued ?? 4096)
    this.workerUrl = init.workerUrl ?? DEFAULT_WORKER_URL
  }

  /**
   * Threads start with the first work that needs them, not here: a node that never meets
   * a burst (a quiet node, a reload of a sealed store) never pays their ~10–45 MB each.
   */
  start(): void {
    this.running = true
  }

  async stop(): Promise<void> {
    if (!this.running) return
    this.running = false
    const stopped = new VerifyPoolStoppedError()
    for (const p of this.queue) p.reject(stopped)
    this.queue = []
    const threads = this.threads.splice(0)
    for (const t of threads)
      for (const items of t.batches.values()) for (const p of items) p.reject(stopped)
    await Promise.all(threads.map((t) => t.worker.terminate()))
  }

  stats(): VerifyPoolStats {
    return {
      threads: this.threads.length,
      queued: this.queue.length,
      inFlight: this.threads.reduce(
        (n, t) => n + [...t.batches.values()].reduce((m, items) => m + items.length, 0),
        0,
      ),
      ...this.counts,
    }
  }

  verify(check: SignatureCheck): Promise<boolean> {
    if (!this.running) return Promise.resolve(this.inline(check))
    const now = performance.now()
    const quiet = now - this.lastCheckAt >= QUIET_GAP_MS
    this.lastCheckAt = now
    if (quiet && this.queue.length === 0 && this.threads.every((t) => t.batches.size === 0))
      return Promise.resolve(this.inline(check))
    if (this.queue.length >= this.maxQueued) {
      this.counts.shed++
      return Promise.reject(new VerifyPoolBusyError(this.maxQueued))
    }
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ check, resolve, reject })
      if (this.queue.length > this.counts.maxQueuedSeen)
        this.counts.maxQueuedSeen = this.queue.length
      // after the current task has queued what it had, so that a burst goes as a batch
      if (!this.flushScheduled) {
        this.flushScheduled = true
        queueMicrotask(() => {
          this.flushScheduled = false
          this.dispatch()
        })
      }
    })
  }

  private inline(check: SignatureCheck): boolean {
    this.counts.inline++
    return checkSignature(check)
  }

  /** Fills every thread up to BATCHES_PER_THREAD, the least loaded first. */
  private dispatch(): void {
    if (this.queue.length > 0)
      while (this.threads.length < this.size) this.threads.push(this.spawn())
    for (let round = 0; round < BATCHES_PER_THREAD; round++)
      for (const t of this.threads) {
        if (this.queue.length === 0) return
        if (t.batches.size > round) continue
        const items = this.queue.splice(0, this.maxBatch)
        const batch: VerifyBatch = { id: this.nextBatchId++, checks: items.map((p) => p.check) }
        t.batches.set(batch.id, items)
        t.worker.postMessage(batch)
      }
  }

  private spawn(): Thread {
    const worker = new Worker(this.workerUrl, { resourceLimits: WORKER_LIMITS })
    const thread: Thread = { worker, batches: new Map() }
    worker.on('message', (answer: VerifyAnswer) => {
      const items = thread.batches.get(answer.id)
      if (items === undefined) return
      thread.batches.delete(answer.id)
      this.counts.pooled += items.length
      items.forEach((p, i) => {
        p.resolve(answer.results[i] === 1)
      })
      this.dispatch()
    })
    worker.on('error', (err) => {
      this.init.logger?.warn(`verify thread failed: ${err.message}`)
    })
    worker.on('exit', (code) => {
      this.replace(thread, code)
    })
    // Not unref()'d: during the reload nothing but these threads keeps the event loop
    // alive while it waits for their answers. stop() ends them.
    return thread
  }

  /** A thread ended while the pool runs: its batches are verified here, a new thread takes its place. */
  private replace(dead: Thread, code: number): void {
    const i = this.threads.indexOf(dead)
    if (i < 0) return // stopped: stop() settled its batch
    this.init.logger?.warn(`verify thread exited (code ${code}); replacing it`)
    const lost = [...dead.batches.values()].flat()
    dead.batches.clear()
    this.counts.replaced++
    this.threads[i] = this.spawn()
    for (const p of lost) p.resolve(this.inline(p.check))
    this.dispatch()
  }
}
