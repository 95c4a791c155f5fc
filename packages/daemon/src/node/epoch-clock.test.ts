import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EpochClock, type EpochEvents } from './epoch-clock.js'

/**
 * The epoch clock against vitest's fake timers, with an injected wall clock that can jump
 * ahead of the timers (a suspended laptop, a blocked event loop): close(r) at
 * end(r) + graceMs and finalize(r) at end(r) + finalMs, every boundary once, in order.
 */

const params = { epochMs: 1000, graceMs: 200, finalMs: 3000 }
const end = (r: number): number => (r + 1) * params.epochMs
const closeAt = (r: number): number => end(r) + params.graceMs
const finalAt = (r: number): number => end(r) + params.finalMs

/** 500 ms into epoch 1_000_000 */
const T0 = 1_000_000_500

type Event = { kind: 'close' | 'finalize'; r: number; at: number }

/** Every boundary in (from, to], by time; a close before a finalize at the same instant. */
function boundaries(from: number, to: number): Array<Omit<Event, 'at'> & { due: number }> {
  const out: Array<Omit<Event, 'at'> & { due: number }> = []
  const first = Math.floor(from / params.epochMs) - 10
  for (let r = first; finalAt(r) <= to || closeAt(r) <= to; r++) {
    if (closeAt(r) > from && closeAt(r) <= to) out.push({ kind: 'close', r, due: closeAt(r) })
    if (finalAt(r) > from && finalAt(r) <= to) out.push({ kind: 'finalize', r, due: finalAt(r) })
  }
  return out.sort((a, b) => a.due - b.due || (a.kind === 'close' ? -1 : 1))
}

const seq = (events: Array<{ kind: string; r: number }>): string[] =>
  events.map((e) => `${e.kind}(${e.r})`)

let skew = 0
/** the wall clock the clock reads: fake time plus any jump the test makes */
const now = (): number => Date.now() + skew

/** Lets the event chain (promises) run to its end without moving fake time. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve()
  await new Promise((resolve) => setImmediate(resolve))
}

function recorder(): { log: Event[]; events: EpochEvents } {
  const log: Event[] = []
  return {
    log,
    events: {
      close: (r) => {
        log.push({ kind: 'close', r, at: now() })
      },
      finalize: (r) => {
        log.push({ kind: 'finalize', r, at: now() })
      },
    },
  }
}

const clocks: EpochClock[] = []
function makeClock(events: EpochEvents, onError: (err: unknown) => void = failOnError): EpochClock {
  const clock = new EpochClock(params, events, onError, now)
  clocks.push(clock)
  return clock
}
function failOnError(err: unknown): void {
  throw new Error(`unexpected onError: ${String(err)}`)
}

beforeEach(() => {
  skew = 0
  // setImmediate stays real: settle() uses it to let promise chains finish
  vi.useFakeTimers({ now: T0, toFake: ['setTimeout', 'clearTimeout', 'Date'] })
})

afterEach(async () => {
  for (const c of clocks.splice(0)) await c.stop()
  vi.useRealTimers()
})

describe('EpochClock', () => {
  it('starts with the first close after now', () => {
    const clock = makeClock(recorder().events)
    // close(999_999) was at 1_000_000_200, before T0: the next to come is epoch 1_000_000
    expect(clock.nextCloseEpoch).toBe(1_000_000)
  })

  it('does nothing before start()', async () => {
    const { log, events } = recorder()
    makeClock(events)
    await vi.advanceTimersByTimeAsync(10_000)
    await settle()
    expect(log).toEqual([])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('closes r at end(r) + graceMs and finalizes r at end(r) + finalMs, in order, on time', async () => {
    const { log, events } = recorder()
    const clock = makeClock(events)
    clock.start()
    await vi.advanceTimersByTimeAsync(10_000)
    await settle()

    const expected = boundaries(T0, T0 + 10_000)
    expect(seq(log)).toEqual(seq(expected))
    // each one exactly at its boundary
    expect(log.map((e) => e.at)).toEqual(expected.map((e) => e.due))
    // the first events: finalize(999_997) at 1_000_001_000, then close(1_000_000) at 1_000_001_200
    expect(seq(log.slice(0, 2))).toEqual(['finalize(999997)', 'close(1000000)'])
    // every epoch closed here is finalized after its close, never before
    for (const e of log.filter((x) => x.kind === 'finalize')) {
      const closed = log.findIndex((x) => x.kind === 'close' && x.r === e.r)
      if (closed !== -1) expect(closed).toBeLessThan(log.indexOf(e))
    }
    expect(clock.nextCloseEpoch).toBe(1_000_010)
  })

  it('nothing fires early: a boundary 1 ms away has not fired yet', async () => {
    const { log, events } = recorder()
    makeClock(events).start()
    await vi.advanceTimersByTimeAsync(finalAt(999_997) - T0 - 1)
    await settle()
    expect(log).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    await settle()
    expect(seq(log)).toEqual(['finalize(999997)'])
  })

  it('a timer that fires late catches up every boundary it passed, in order, once', async () => {
    const { log, events } = recorder()
    makeClock(events).start()
    await vi.advanceTimersByTimeAsync(2_000)
    await settle()
    const onTime = log.length
    expect(seq(log)).toEqual(seq(boundaries(T0, T0 + 2_000)))

    // the process sleeps 7.3 s: the wall clock jumps, the pending timer fires late
    skew += 7_300
    await vi.advanceTimersToNextTimerAsync()
    await settle()
    const woke = now()
    const caughtUp = log.slice(onTime)
    expect(seq(caughtUp)).toEqual(seq(boundaries(T0 + 2_000, woke)))
    expect(caughtUp.length).toBeGreaterThan(10)
    // all of them at the late instant, none of them before its boundary
    for (const e of caughtUp) expect(e.at).toBe(woke)

    // and it goes on from there, on time again
    await vi.advanceTimersByTimeAsync(3_000)
    await settle()
    expect(seq(log)).toEqual(seq(boundaries(T0, now())))
    const keys = seq(log)
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('catches up in order across a long sleep (many epochs, closes and finals interleaved)', async () => {
    const { log, events } = recorder()
    makeClock(events).start()
    skew += 60_000
    await vi.advanceTimersToNextTimerAsync()
    await settle()
    const expected = boundaries(T0, now())
    expect(seq(log)).toEqual(seq(expected))
    // contiguous: no epoch skipped
    const closes = log.filter((e) => e.kind === 'close').map((e) => e.r)
    const finals = log.filter((e) => e.kind === 'finalize').map((e) => e.r)
    expect(closes).toEqual(closes.map((_, i) => (closes[0] as number) + i))
    expect(finals).toEqual(finals.map((_, i) => (finals[0] as number) + i))
  })

  it('stop() stops: no more events and no timer left', async () => {
    const { log, events } = recorder()
    const clock = makeClock(events)
    clock.start()
    await vi.advanceTimersByTimeAsync(3_000)
    await settle()
    const before = log.length
    expect(before).toBeGreaterThan(0)
    await clock.stop()
    expect(vi.getTimerCount()).toBe(0)
    await vi.advanceTimersByTimeAsync(20_000)
    skew += 50_000
    await vi.advanceTimersByTimeAsync(1_000)
    await settle()
    expect(log).toHaveLength(before)
  })

  it('stop() waits for the event that is running', async () => {
    let release: () => void = () => undefined
    const done: number[] = []
    const clock = makeClock({
      close: async (r) => {
        await new Promise<void>((resolve) => {
          release = resolve
        })
        done.push(r)
      },
      finalize: () => undefined,
    })
    clock.start()
    await vi.advanceTimersByTimeAsync(closeAt(1_000_000) - T0)
    let stopped = false
    const stopping = clock.stop().then(() => {
      stopped = true
    })
    await settle()
    expect(stopped).toBe(false)
    release()
    await stopping
    expect(done).toEqual([1_000_000])
  })

  it('runs one event at a time: a slow close delays the next event, order kept', async () => {
    const log: string[] = []
    let release: () => void = () => undefined
    makeClock({
      close: async (r) => {
        log.push(`close(${r}) start`)
        if (r === 1_000_000)
          await new Promise<void>((resolve) => {
            release = resolve
          })
        log.push(`close(${r}) end`)
      },
      finalize: (r) => {
        log.push(`finalize(${r})`)
      },
    }).start()
    // close(1_000_000) at +700 starts and hangs; finalize(999_998) at +1500 must wait for it
    await vi.advanceTimersByTimeAsync(1_600)
    await settle()
    expect(log).toEqual(['finalize(999997)', 'close(1000000) start'])
    release()
    await settle()
    expect(log).toEqual([
      'finalize(999997)',
      'close(1000000) start',
      'close(1000000) end',
      'finalize(999998)',
    ])
  })

  it('an event that throws or rejects does not stop later events; onError gets each error', async () => {
    const log: string[] = []
    const errors: unknown[] = []
    const syncFailure = new Error('close failed')
    const asyncFailure = new Error('finalize failed')
    makeClock(
      {
        close: (r) => {
          if (r === 1_000_001) throw syncFailure
          log.push(`close(${r})`)
        },
        finalize: async (r) => {
          if (r === 999_998) throw asyncFailure
          log.push(`finalize(${r})`)
        },
      },
      (err) => errors.push(err),
    ).start()
    await vi.advanceTimersByTimeAsync(5_000)
    await settle()

    expect(errors).toEqual([asyncFailure, syncFailure])
    const expected = seq(boundaries(T0, T0 + 5_000)).filter(
      (e) => e !== 'close(1000001)' && e !== 'finalize(999998)',
    )
    expect(log).toEqual(expected)
    // events after both failures did run
    expect(log).toContain('close(1000002)')
    expect(log).toContain('finalize(1000000)')
  })

  it('keeps going after every event fails', async () => {
    const errors: unknown[] = []
    makeClock(
      {
        close: () => {
          throw new Error('c')
        },
        finalize: () => Promise.reject(new Error('f')),
      },
      (err) => errors.push(err),
    ).start()
    await vi.advanceTimersByTimeAsync(10_000)
    await settle()
    expect(errors).toHaveLength(boundaries(T0, T0 + 10_000).length)
  })
})
