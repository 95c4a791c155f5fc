import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { type AttemptOutcome, RepairQueue, type RepairQueueInit } from './repair-queue.js'

/** A fake run: each attempt waits until the test settles it. */
function harness(patch: Partial<RepairQueueInit> = {}) {
  const attempts: Array<{
    peer: string
    epoch: number
    signal: AbortSignal
    settle: (n: number | Error) => void
  }> = []
  const outcomes: AttemptOutcome[] = []
  const dropped: Array<{ epoch: number; digestHex: string }> = []
  const queue = new RepairQueue({
    maxJobs: 4,
    maxCandidates: 3,
    concurrency: 2,
    deadlineMs: 60_000,
    priorityOf: (p) => (p.startsWith('m') ? 1 : 0),
    run: (peer, epoch, signal) =>
      new Promise<number>((resolve, reject) => {
        attempts.push({
          peer,
          epoch,
          signal,
          settle: (n) => (n instanceof Error ? reject(n) : resolve(n)),
        })
        signal.addEventListener('abort', () => reject(signal.reason), { once: true })
      }),
    onAttempt: (a) => outcomes.push(a),
    onDropped: (j) => dropped.push(j),
    ...patch,
  })
  const flush = () => new Promise((r) => setImmediate(r))
  return { queue, attempts, outcomes, dropped, flush }
}

describe('RepairQueue', () => {
  it('one attempt per peer at a time, jobs of one epoch side by side, at most `concurrency` at once', async () => {
    const h = harness({ concurrency: 3 })
    h.queue.want(1, 'a', 'd1')
    h.queue.want(2, 'a', 'd2') // same peer: waits
    h.queue.want(1, 'b', 'd9') // same epoch, other digest: runs beside (a peer that stalls holds nothing else)
    h.queue.want(3, 'c', 'd3')
    expect(h.attempts.map((a) => `${a.peer}/${a.epoch}`)).toEqual(['a/1', 'b/1', 'c/3'])
    h.attempts[0]?.settle(2)
    await h.flush()
    // a is free: its waiting job starts
    expect(h.attempts.map((a) => `${a.peer}/${a.epoch}`)).toEqual(['a/1', 'b/1', 'c/3', 'a/2'])
    expect(h.outcomes[0]).toMatchObject({
      epoch: 1,
      peerId: 'a',
      fetched: 2,
      outcome: 'ok',
      final: true,
    })
  })

  it('asks every voter of a digest in parallel; the first success ends the job, the others are aborted', async () => {
    const h = harness({ concurrency: 4 })
    h.queue.want(5, 'stalling', 'd')
    h.queue.want(5, 'honest', 'd')
    expect(h.attempts.map((a) => a.peer)).toEqual(['stalling', 'honest'])
    h.attempts[1]?.settle(3)
    await h.flush()
    expect(h.attempts[0]?.signal.aborted).toBe(true)
    await h.flush()
    expect(h.outcomes).toEqual([
      { epoch: 5, digestHex: 'd', peerId: 'honest', fetched: 3, outcome: 'ok', final: true },
    ])
    expect(h.queue.size).toBe(0)
  })

  it('asks nothing for an epoch past its deadline, and cuts an attempt at it', async () => {
    vi.useFakeTimers()
    try {
      let now = 1_000
      const h = harness({ deadlineOf: (e) => (e === 7 ? 1_500 : undefined), now: () => now })
      h.queue.want(7, 'slow', 'd')
      expect(h.attempts).toHaveLength(1)
      await vi.advanceTimersByTimeAsync(500) // the epoch's deadline, not the 60 s one
      expect(h.outcomes[0]).toMatchObject({ peerId: 'slow', outcome: 'timeout', final: true })
      now = 2_000
      h.queue.want(7, 'late', 'e')
      expect(h.attempts).toHaveLength(1)
      expect(h.queue.size).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('falls back to another voter of the same digest when one fails or times out', async () => {
    vi.useFakeTimers()
    try {
      const h = harness({ deadlineMs: 3_000, concurrency: 1 })
      h.queue.want(5, 'silent', 'd')
      h.queue.want(5, 'broken', 'd')
      h.queue.want(5, 'honest', 'd')
      expect(h.attempts.map((a) => a.peer)).toEqual(['silent'])
      await vi.advanceTimersByTimeAsync(3_000) // the silent peer never answers
      expect(h.outcomes[0]).toMatchObject({ peerId: 'silent', outcome: 'timeout', final: false })
      expect(h.attempts.map((a) => a.peer)).toEqual(['silent', 'broken'])
      h.attempts[1]?.settle(new Error('stream reset'))
      await vi.advanceTimersByTimeAsync(0)
      expect(h.outcomes[1]).toMatchObject({ peerId: 'broken', outcome: 'failed', final: false })
      h.attempts[2]?.settle(7)
      await vi.advanceTimersByTimeAsync(0)
      expect(h.outcomes[2]).toMatchObject({
        peerId: 'honest',
        outcome: 'ok',
        fetched: 7,
        final: true,
      })
      expect(h.queue.size).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('the last candidate failing ends the job', async () => {
    const h = harness()
    h.queue.want(5, 'x', 'd')
    h.attempts[0]?.settle(new Error('no'))
    await h.flush()
    expect(h.outcomes).toEqual([
      { epoch: 5, digestHex: 'd', peerId: 'x', fetched: 0, outcome: 'failed', final: true },
    ])
    expect(h.queue.size).toBe(0)
  })

  it('members first; when full the lowest priority, oldest job is dropped, never a member for a stranger', () => {
    const h = harness({ concurrency: 1, maxJobs: 3 })
    h.queue.want(1, 'm-run', 'd') // runs
    expect(h.queue.want(2, 's1', 'd')).toBe('queued')
    expect(h.queue.want(3, 's2', 'd')).toBe('queued')
    // full: a member's job pushes out the oldest stranger job
    expect(h.queue.want(4, 'm2', 'd')).toBe('queued')
    expect(h.dropped).toEqual([{ epoch: 2, digestHex: 'd' }])
    // a stranger's job is refused: nothing below it to drop
    expect(h.queue.want(5, 's3', 'd')).toBe('refused')
    expect(h.queue.size).toBe(3)
    // when the running attempt ends, the member's job runs before the older stranger's
    h.attempts[0]?.settle(0)
    return h.flush().then(() => expect(h.attempts.map((a) => a.peer)).toEqual(['m-run', 'm2']))
  })

  it('property: never above maxJobs or maxCandidates; a refused job is never above a kept one', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            epoch: fc.integer({ min: 0, max: 6 }),
            peer: fc.constantFrom('m1', 'm2', 'm3', 's1', 's2', 's3', 's4'),
            digest: fc.constantFrom('a', 'b'),
          }),
          { maxLength: 80 },
        ),
        (wants) => {
          const h = harness({ maxJobs: 3, maxCandidates: 2, concurrency: 0 })
          for (const w of wants) {
            const result = h.queue.want(w.epoch, w.peer, w.digest)
            const jobs = h.queue.snapshot()
            expect(jobs.length).toBeLessThanOrEqual(3)
            for (const j of jobs) expect(j.candidates.length).toBeLessThanOrEqual(2)
            if (result === 'refused') {
              // refused only when every held job ranks at least as high as this one
              const mine = w.peer.startsWith('m') ? 1 : 0
              for (const j of jobs)
                expect(
                  Math.max(...j.candidates.map((p) => (p.startsWith('m') ? 1 : 0))),
                ).toBeGreaterThanOrEqual(mine)
            }
          }
        },
      ),
    )
  })
})

describe('RepairQueue.forget', () => {
  it('drops the waiting jobs of an epoch, never a running one', async () => {
    const h = harness({ concurrency: 1 })
    h.queue.want(1, 'a', 'd')
    h.queue.want(1, 'b', 'e')
    h.queue.want(2, 'c', 'd')
    h.queue.forget(1)
    expect(h.queue.snapshot().map((j) => `${j.epoch}/${j.digestHex}`)).toEqual(['1/d', '2/d'])
    h.attempts[0]?.settle(0)
    await h.flush()
    expect(h.attempts.map((a) => a.peer)).toEqual(['a', 'c'])
  })
})
