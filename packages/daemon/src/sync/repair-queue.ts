/**
 * The repair queue's decisions, free of libp2p: what to repair, from whom, in which order.
 *
 * A job is an epoch and a digest some voters advertised that differs from this node's;
 * its candidates are those voters. A job is asked of its candidates in parallel, one
 * attempt per peer at a time (fair per peer: a peer that stalls holds its own attempt and
 * no other), each with a deadline; the first attempt that succeeds ends the job (the
 * others are aborted), and a job whose candidates all failed ends too. Nothing is asked
 * for an epoch past its `deadlineOf` (the admission deadline: DESIGN.md "Admission after
 * close"). Bounded: at most `maxJobs` jobs and `maxCandidates` candidates a job; when full,
 * the job of lowest priority (and among those the oldest) goes first, and a job below
 * everything queued is refused; at most `concurrency` attempts at once. Priority is a
 * function of the peer (`priorityOf`: members first).
 */

export interface RepairQueueInit {
  /** jobs held (running or waiting) */
  maxJobs: number
  /** candidate peers kept per job */
  maxCandidates: number
  /** attempts running at once */
  concurrency: number
  /** one attempt's deadline */
  deadlineMs: number
  /** the wall-clock ms after which nothing of `epoch` is asked (none: no such moment) */
  deadlineOf?: (epoch: number) => number | undefined
  /** wall-clock ms (tests move it); default Date.now */
  now?: () => number
  /** higher runs first and is dropped last (e.g. 1 for a member, 0 for anyone else) */
  priorityOf: (peerId: string) => number
  /**
   * fetches `epoch` from `peerId`, towards `digestHex` (`peer:…` for a job without one);
   * resolves to how many contributions it added
   */
  run: (peerId: string, epoch: number, signal: AbortSignal, digestHex: string) => Promise<number>
  /** each attempt's end */
  onAttempt?: (a: AttemptOutcome) => void
  /** a job dropped to make room, or refused because the queue is full */
  onDropped?: (job: { epoch: number; digestHex: string }) => void
}

export interface AttemptOutcome {
  epoch: number
  digestHex: string
  peerId: string
  fetched: number
  outcome: 'ok' | 'failed' | 'timeout'
  /** true when no candidate is left to try: the job is gone */
  final: boolean
}

interface Job {
  epoch: number
  digestHex: string
  /** candidates not tried yet, in arrival order */
  candidates: string[]
  tried: Set<string>
  /** peers asked right now, with their attempt's abort */
  running: Map<string, AbortController>
  arrival: number
  done: boolean
}

const keyOf = (epoch: number, digestHex: string): string => `${epoch}/${digestHex}`

export class RepairQueue {
  private readonly jobs = new Map<string, Job>()
  private readonly busyPeers = new Set<string>()
  private arrivals = 0
  private stopped = false
  private readonly controllers = new Set<AbortController>()

  constructor(private readonly init: RepairQueueInit) {}

  /** `peerId` advertises `digestHex` for `epoch`: repair from it (or from another with it). */
  want(epoch: number, peerId: string, digestHex: string): 'queued' | 'merged' | 'refused' {
    if (this.stopped) return 'refused'
    const key = keyOf(epoch, digestHex)
    const job = this.jobs.get(key)
    if (job !== undefined) {
      if (job.tried.has(peerId) || job.candidates.includes(peerId) || job.running.has(peerId))
        return 'merged'
      this.addCandidate(job, peerId)
      this.pump()
      return 'merged'
    }
    const fresh: Job = {
      epoch,
      digestHex,
      candidates: [peerId],
      tried: new Set(),
      running: new Map(),
      arrival: this.arrivals++,
      done: false,
    }
    if (this.jobs.size >= this.init.maxJobs && !this.makeRoomFor(fresh)) {
      this.init.onDropped?.({ epoch, digestHex })
      return 'refused'
    }
    this.jobs.set(key, fresh)
    this.pump()
    return 'queued'
  }

  /** Forgets the jobs of an epoch (it turned final or matches now). */
  forget(epoch: number): void {
    for (const [key, job] of this.jobs)
      if (job.epoch === epoch && job.running.size === 0) this.jobs.delete(key)
  }

  stop(): void {
    this.stopped = true
    for (const c of this.controllers) c.abort()
    this.jobs.clear()
  }

  /** What is held, for tests and status: jobs, waiting or running. */
  get size(): number {
    return this.jobs.size
  }

  get running(): number {
    return this.busyPeers.size
  }

  snapshot(): Array<{ epoch: number; digestHex: string; candidates: string[]; running?: string }> {
    return [...this.jobs.values()].map((j) => ({
      epoch: j.epoch,
      digestHex: j.digestHex,
      candidates: [...j.candidates],
      ...(j.running.size > 0 ? { running: [...j.running.keys()].join(',') } : {}),
    }))
  }

  private priorityOfJob(job: Job): number {
    let best = Number.NEGATIVE_INFINITY
    for (const p of job.candidates) best = Math.max(best, this.init.priorityOf(p))
    for (const p of job.running.keys()) best = Math.max(best, this.init.priorityOf(p))
    return best
  }

  private addCandidate(job: Job, peerId: string): void {
    job.candidates.push(peerId)
    if (job.candidates.length <= this.init.maxCandidates) return
    // over the bound: drop the lowest-priority candidate, the oldest among equals
    let worst = 0
    for (let i = 1; i < job.candidates.length; i++)
      if (
        this.init.priorityOf(job.candidates[i] as string) <
        this.init.priorityOf(job.candidates[worst] as string)
      )
        worst = i
    job.candidates.splice(worst, 1)
  }

  /** Drops the lowest-priority, oldest waiting job below `fresh`; false if there is none. */
  private makeRoomFor(fresh: Job): boolean {
    const freshPriority = this.priorityOfJob(fresh)
    let victim: [string, Job] | undefined
    let victimPriority = Number.POSITIVE_INFINITY
    for (const entry of this.jobs) {
      const job = entry[1]
      if (job.running.size > 0) continue
      const p = this.priorityOfJob(job)
      if (
        p < victimPriority ||
        (p === victimPriority && job.arrival < (victim?.[1].arrival ?? 0))
      ) {
        victim = entry
        victimPriority = p
      }
    }
    if (victim === undefined || victimPriority >= freshPriority) return false
    this.jobs.delete(victim[0])
    this.init.onDropped?.({ epoch: victim[1].epoch, digestHex: victim[1].digestHex })
    return true
  }

  /** Starts what may start: highest priority first, oldest first among equals. */
  private pump(): void {
    while (!this.stopped && this.busyPeers.size < this.init.concurrency) {
      const next = this.pick()
      if (next === undefined) return
      this.start(next.job, next.peer)
    }
  }

  private pick(): { job: Job; peer: string } | undefined {
    const now = (this.init.now ?? Date.now)()
    let best: { job: Job; peer: string; priority: number } | undefined
    for (const [key, job] of this.jobs) {
      if (job.done) continue
      if (this.pastDeadline(job.epoch, now)) {
        // nothing is asked for an epoch that admits nothing more
        if (job.running.size === 0) this.jobs.delete(key)
        continue
      }
      for (const peer of job.candidates) {
        if (this.busyPeers.has(peer)) continue
        const priority = this.init.priorityOf(peer)
        if (
          best === undefined ||
          priority > best.priority ||
          (priority === best.priority && job.arrival < best.job.arrival)
        )
          best = { job, peer, priority }
      }
    }
    return best
  }

  private pastDeadline(epoch: number, now: number): boolean {
    const deadline = this.init.deadlineOf?.(epoch)
    return deadline !== undefined && now > deadline
  }

  private start(job: Job, peer: string): void {
    job.candidates.splice(job.candidates.indexOf(peer), 1)
    job.tried.add(peer)
    this.busyPeers.add(peer)
    const controller = new AbortController()
    job.running.set(peer, controller)
    this.controllers.add(controller)
    const now = (this.init.now ?? Date.now)()
    const epochDeadline = this.init.deadlineOf?.(job.epoch)
    const ms = Math.min(
      this.init.deadlineMs,
      epochDeadline === undefined ? Number.POSITIVE_INFINITY : Math.max(0, epochDeadline - now),
    )
    const timer = setTimeout(
      () => controller.abort(new DOMException('repair deadline', 'TimeoutError')),
      ms,
    )
    let fetched = 0
    let outcome: AttemptOutcome['outcome'] = 'ok'
    this.init
      .run(peer, job.epoch, controller.signal, job.digestHex)
      .then((n) => {
        fetched = n
      })
      .catch((err: Error) => {
        outcome = controller.signal.aborted || err.name === 'TimeoutError' ? 'timeout' : 'failed'
      })
      .finally(() => {
        clearTimeout(timer)
        this.controllers.delete(controller)
        this.busyPeers.delete(peer)
        job.running.delete(peer)
        const key = keyOf(job.epoch, job.digestHex)
        const wasDone = job.done
        if (outcome === 'ok' && !job.done) {
          // the first success ends the job: the attempts still running are redundant
          job.done = true
          for (const other of job.running.values()) other.abort()
        }
        const done = job.done || (job.candidates.length === 0 && job.running.size === 0)
        if (done && job.running.size === 0 && this.jobs.get(key) === job) this.jobs.delete(key)
        if (!this.stopped && !wasDone)
          this.init.onAttempt?.({
            epoch: job.epoch,
            digestHex: job.digestHex,
            peerId: peer,
            fetched,
            outcome,
            final: done,
          })
        this.pump()
      })
  }
}
