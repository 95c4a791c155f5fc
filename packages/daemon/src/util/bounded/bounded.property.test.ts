import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RateLimiter } from './rate-limiter.js'
import { WindowedCounter } from './windowed-counter.js'

describe('RateLimiter', () => {
  it('never keeps more than maxKeys buckets; the least recently used goes first', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }),
        (maxKeys, keys) => {
          const limiter = new RateLimiter({ ratePerSec: 1, burst: 1, maxKeys, now: () => 0 })
          const recent: number[] = []
          for (const k of keys) {
            limiter.take(String(k))
            const at = recent.indexOf(k)
            if (at >= 0) recent.splice(at, 1)
            recent.push(k)
            expect(limiter.size).toBeLessThanOrEqual(maxKeys)
          }
          // the kept keys are the most recently used ones: each has spent its one token
          for (const k of recent.slice(-maxKeys)) expect(limiter.take(String(k))).toBe(false)
        },
      ),
    )
  })

  it('grants at most burst + rate * elapsed tokens, whatever the timing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 300 }),
        (ratePerSec, burst, steps) => {
          let nowMs = 0
          const limiter = new RateLimiter({ ratePerSec, burst, maxKeys: 4, now: () => nowMs })
          let granted = 0
          for (const step of steps) {
            nowMs += step
            if (limiter.take('p')) granted++
          }
          expect(granted).toBeLessThanOrEqual(burst + Math.floor((ratePerSec * nowMs) / 1000) + 1)
        },
      ),
    )
  })

  it('waitMs says when the next token comes', () => {
    let nowMs = 0
    const limiter = new RateLimiter({ ratePerSec: 10, burst: 1, maxKeys: 4, now: () => nowMs })
    expect(limiter.take('p')).toBe(true)
    expect(limiter.take('p')).toBe(false)
    expect(limiter.waitMs('p')).toBe(100)
    nowMs += 100
    expect(limiter.waitMs('p')).toBe(0)
    expect(limiter.take('p')).toBe(true)
  })
})

describe('WindowedCounter', () => {
  it('never counts more than maxKeysPerEpoch keys in an epoch; prune forgets older epochs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 5 })), {
          maxLength: 300,
        }),
        fc.integer({ min: 0, max: 6 }),
        (max, adds, oldest) => {
          const c = new WindowedCounter(max)
          const model = new Map<number, Map<string, number>>()
          for (const [k, epoch] of adds) {
            const key = String(k)
            const m = model.get(epoch) ?? new Map<string, number>()
            model.set(epoch, m)
            const counted = c.add(key, epoch)
            // a new key is refused exactly when its epoch is full; a known key always counts
            expect(counted).toBe(m.has(key) || m.size < max)
            if (counted) m.set(key, (m.get(key) ?? 0) + 1)
            expect(c.countOf(key, epoch)).toBe(m.get(key) ?? 0)
            for (const counts of model.values()) expect(counts.size).toBeLessThanOrEqual(max)
          }
          c.prune(oldest)
          for (const [epoch, counts] of model)
            for (const [key, n] of counts)
              expect(c.countOf(key, epoch)).toBe(epoch < oldest ? 0 : n)
          let total = 0
          for (const [epoch, counts] of model) if (epoch >= oldest) total += counts.size
          expect(c.size).toBe(total)
        },
      ),
    )
  })
})
