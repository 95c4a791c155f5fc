import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import {
  type Contribution,
  type ContributionCheck,
  checkContributionHere,
  checkSignature,
  contributionAnswer,
  type InspectParams,
  packThreadJobs,
  type SignatureCheck,
  signatureAnswer,
  type ThreadJob,
} from '@alara/protocol'
import type { Startable } from '../components.js'
import { VerifyPoolBusyError, VerifyPoolStoppedError } from '../errors.js'
import type { Logger } from '../util/logger.js'
import type { ContributionChecker } from './checker.js'
import { FairQueue } from './fair-queue.js'
import type { VerifyAnswer, VerifyBatch, VerifyThreadData, VerifyThreadReady } from './worker.js'

export interface VerifyPoolInit {
  /** worker threads; default: one per core (os.availableParallelism()) */
  threads?: number
  /** checks sent to a thread in one message, at most (default 64: ~10 ms on an idle core) */
  maxBatch?: number
  /**
   * Checks waiting for a thread, at most. Beyond it the source with the most checks
   * waiting sheds its newest (VerifyPoolBusyError: the caller ignores the message, as
   * Lodestar's bounded gossip queues do): memory stays bounded, the main thread never
   * stalls on a flood's verifies, and a flood sheds its own messages, not others'.
   */
  maxQueued?: number
  /** the network's parameters: needed for contribution jobs (checkContribution) */
  params?: InspectParams
  /** the worker module (tests substitute one) */
  workerUrl?: URL
  logger?: Logger
}

export interface VerifyPoolStats {
  threads: number
  queued: number
  inFlight: number
  /** jobs (checks, contributions) done by the threads */
  pooled: number
  /** jobs done on the calling thread: a lone one on a quiet node, or stopped */
  inline: number
  /** checks refused or evicted because the queue was full */
  shed: number
  /** sources with checks waiting */
  sources: number
  /** threads that died and were replaced */
  replaced: number
  /** the longest the queue has been */
  maxQueuedSeen: number
  /** checks per batch now (adapts to the measured time per check) */
  batchSize: number
}

/** A job waiting for a thread: it is answered from a thread's record, or done here. */
interface Pending {
  job: ThreadJob
  answer(answers: Uint8Array, i: number): void
  here(): void
  reject(err: Error): void
}

interface Thread {
  worker: Worker
  /** its module has loaded (VerifyThreadReady): only then is it sent batches */
  ready: boolean
  online: Promise<void>
  /** batches sent and not yet answered, by id (at most BATCHES_PER_THREAD) */
  batches: Map<number, Pending[]>
}

/**
 * Batches in flight per thread: a thread goes on with the next while the main thread, busy
 * with the network for tens of milliseconds at a time under a flood, has not yet read the
 * previous answer (with one, the profile of a flood showed the threads ~95 % idle; with
 * two of 32, still mostly idle while the queue overflowed).
 */
const BATCHES_PER_THREAD = 4

/**
 * A batch is sized to take a thread about this long, from the measured time per check:
 * what waits in a thread (BATCHES_PER_THREAD batches) is then ~40 ms of work however
 * slow the machine, so a check that arrives behind a flood (first in the fair queue)
 * waits for that, not for four full batches (seconds on a starved machine).
 */
const BATCH_TARGET_MS = 10

/** time per check before any was measured (an idle core: ~120 µs) */
const INITIAL_CHECK_MS = 0.15

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
 * Ed25519 verification, and received contributions' stateless checks with it, on worker
 * threads, one per core, batched: a thread takes the queued jobs (up to maxBatch, one per
 * source in turn: fair-queue.ts) when it becomes free, so batches grow with the load and a
 * quiet node sends single jobs; a batch is at most ~10 ms of a thread's measured work and
 * travels as one transferred buffer each way (protocol packThreadJobs / runThreadJobs). A
 * lone job while every thread is idle is done in the calling thread (a thread hop costs
 * more than the verify). A thread that dies has its batch done in the calling thread and
 * is replaced. stop() rejects what is pending.
 */
export class VerifyPool implements ContributionChecker, Startable {
  private readonly size: number
  private readonly maxBatch: number
  private readonly maxQueued: number
  private readonly workerUrl: URL
  private readonly threads: Thread[] = []
  private readonly queue: FairQueue<Pending>
  /**
   * The one error every shed check is rejected with: building an error (its stack trace)
   * per shed check took an eighth of the main thread under a flood.
   */
  private readonly busy: VerifyPoolBusyError
  private running = false
  private flushScheduled = false
  private drainScheduled = false
  private lastCheckAt = Number.NEGATIVE_INFINITY
  private nextBatchId = 0
  /** moving average of a thread's time per check, as the threads measure it */
  private checkMs = INITIAL_CHECK_MS
  private readonly counts = { pooled: 0, inline: 0, shed: 0, replaced: 0, maxQueuedSeen: 0 }

  constructor(private readonly init: VerifyPoolInit = {}) {
    this.size = Math.max(1, init.threads ?? availableParallelism())
    this.maxBatch = Math.max(1, init.maxBatch ?? 64)
    this.maxQueued = Math.max(1, init.maxQueued ?? 4096)
    this.queue = new FairQueue(this.maxQueued)
    this.busy = new VerifyPoolBusyError(this.maxQueued)
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
    for (const p of this.queue.drain()) p.reject(stopped)
    const threads = this.threads.splice(0)
    for (const t of threads)
      for (const items of t.batches.values()) for (const p of items) p.reject(stopped)
    await Promise.all(threads.map((t) => t.worker.terminate()))
  }

  /**
   * Starts every thread now and resolves once each has loaded or exited (tests, and a
   * caller that knows a burst is coming); otherwise they start with the first burst.
   */
  async warm(): Promise<void> {
    if (!this.running) return
    while (this.threads.length < this.size) this.threads.push(this.spawn())
    await Promise.all(this.threads.map((t) => t.online))
  }

  stats(): VerifyPoolStats {
    return {
      threads: this.threads.length,
      queued: this.queue.size,
      sources: this.queue.sources,
      inFlight: this.threads.reduce(
        (n, t) => n + [...t.batches.values()].reduce((m, items) => m + items.length, 0),
        0,
      ),
      batchSize: this.batchSize(),
      ...this.counts,
    }
  }

  verify(check: SignatureCheck, source = ''): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.submit(source, {
        job: { kind: 'signature', check },
        answer: (answers, i) => resolve(signatureAnswer(answers, i)),
        here: () => resolve(checkSignature(check)),
        reject,
      })
    })
  }

  /**
   * A received contribution, as one job: a thread inspects it and verifies its signature
   * when `verify` (the caller's state said it could be accepted), and sends back the packed
   * record; the verdict against the state is the caller's (protocol precheckInspected).
   */
  checkContribution(
    bytes: Uint8Array,
    verify: boolean,
    source = '',
    decoded?: Contribution,
  ): Promise<ContributionCheck> {
    const params = this.init.params
    if (params === undefined)
      return Promise.reject(new TypeError('VerifyPool: contribution jobs need its params'))
    return new Promise<ContributionCheck>((resolve, reject) => {
      this.submit(source, {
        job: { kind: 'contribution', bytes, verify },
        answer: (answers, i) => resolve(contributionAnswer(answers, i, bytes, decoded)),
        here: () => resolve(checkContributionHere(bytes, params, verify)),
        reject,
      })
    })
  }

  /**
   * Done here when stopped, or when it comes alone to idle threads (a thread hop costs
   * more than the job); otherwise queued fairly for `source`, or shed when full.
   */
  private submit(source: string, p: Pending): void {
    if (!this.running) {
      this.inline(p)
      return
    }
    const now = performance.now()
    const quiet = now - this.lastCheckAt >= QUIET_GAP_MS
    this.lastCheckAt = now
    if (quiet && this.queue.size === 0 && this.threads.every((t) => t.batches.size === 0)) {
      this.inline(p)
      return
    }
    const { admitted, evicted } = this.queue.push(source, p)
    if (evicted !== undefined) this.shed(evicted)
    if (!admitted) {
      this.shed(p)
      return
    }
    if (this.queue.size > this.counts.maxQueuedSeen) this.counts.maxQueuedSeen = this.queue.size
    // after the current task has queued what it had, so that a burst goes as a batch
    if (!this.flushScheduled) {
      this.flushScheduled = true
      queueMicrotask(() => {
        this.flushScheduled = false
        this.dispatch()
      })
    }
  }

  hasRoomFor(source: string): boolean {
    return !this.running || this.queue.wouldAdmit(source)
  }

  private shed(p: Pending): void {
    this.counts.shed++
    p.reject(this.busy)
  }

  private inline(p: Pending): void {
    this.counts.inline++
    p.here()
  }

  /** Checks per batch: BATCH_TARGET_MS of a thread's measured time, within 1..maxBatch. */
  private batchSize(): number {
    return Math.max(1, Math.min(this.maxBatch, Math.round(BATCH_TARGET_MS / this.checkMs)))
  }

  /**
   * Fills every ready thread up to BATCHES_PER_THREAD, the least loaded first. While no
   * thread has loaded yet (the first burst after start: 0.1–1 s), the queue is verified
   * here, a batch per macrotask, instead of waiting: the threads started lazily once held
   * the first burst of a node for up to a second (bench-propagation's p99 went from ~1.3×
   * raw gossipsub to ~100×).
   */
  private dispatch(): void {
    if (!this.running || this.queue.size === 0) return
    while (this.threads.length < this.size) this.threads.push(this.spawn())
    if (!this.threads.some((t) => t.ready)) {
      this.verifyWhileStarting()
      return
    }
    const size = this.batchSize()
    for (let round = 0; round < BATCHES_PER_THREAD; round++)
      for (const t of this.threads) {
        if (this.queue.size === 0) return
        if (!t.ready || t.batches.size > round) continue
        const items = this.queue.take(size)
        const batch: VerifyBatch = {
          id: this.nextBatchId++,
          jobs: packThreadJobs(items.map((p) => p.job)),
        }
        t.batches.set(batch.id, items)
        t.worker.postMessage(batch, [batch.jobs])
      }
  }

  private verifyWhileStarting(): void {
    for (const p of this.queue.take(this.batchSize())) this.inline(p)
    if (this.queue.size === 0 || this.drainScheduled) return
    this.drainScheduled = true
    setImmediate(() => {
      this.drainScheduled = false
      this.dispatch()
    })
  }

  /**
   * The thread's own time for a batch (measured on the main thread, it included the delay
   * of a busy main thread in reading answers: batches shrank, each cost the main thread
   * more, and it fell further behind).
   */
  private measure(answer: VerifyAnswer, checks: number): void {
    if (!(answer.ms >= 0) || checks === 0) return
    this.checkMs = 0.8 * this.checkMs + 0.2 * Math.max(0.01, answer.ms / checks)
  }

  private spawn(): Thread {
    const workerData: VerifyThreadData =
      this.init.params === undefined ? {} : { params: pickInspectParams(this.init.params) }
    const worker = new Worker(this.workerUrl, { resourceLimits: WORKER_LIMITS, workerData })
    const online = Promise.withResolvers<void>()
    const thread: Thread = { worker, ready: false, online: online.promise, batches: new Map() }
    worker.on('message', (answer: VerifyAnswer | VerifyThreadReady) => {
      if ('ready' in answer) {
        thread.ready = true
        online.resolve()
        this.dispatch()
        return
      }
      const items = thread.batches.get(answer.id)
      if (items === undefined) return
      thread.batches.delete(answer.id)
      this.measure(answer, items.length)
      this.counts.pooled += items.length
      items.forEach((p, i) => {
        p.answer(answer.answers, i)
      })
      this.dispatch()
    })
    worker.on('error', (err) => {
      this.init.logger?.warn(`verify thread failed: ${err.message}`)
    })
    worker.on('exit', (code) => {
      online.resolve() // warm() waits for loaded or gone
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
    for (const p of lost) this.inline(p)
    this.dispatch()
  }
}

/** Only what the stateless checks read crosses to a thread (a caller may pass all the params). */
function pickInspectParams(p: InspectParams): InspectParams {
  return {
    network: p.network,
    maxMessageBytes: p.maxMessageBytes,
    maxBits: p.maxBits,
    epochMs: p.epochMs,
  }
}
