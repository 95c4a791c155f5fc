import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FairQueue } from './fair-queue.js'

describe('FairQueue', () => {
  it('serves sources in turn, each in arrival order', () => {
    const q = new FairQueue<string>(100)
    for (let i = 0; i < 5; i++) q.push('flood', `f${i}`)
    q.push('a', 'a0')
    q.push('a', 'a1')
    q.push('b', 'b0')
    expect(q.take(4)).toEqual(['f0', 'a0', 'b0', 'f1'])
    // 'a' was served before 'flood' came round again
    expect(q.take(10)).toEqual(['a1', 'f2', 'f3', 'f4'])
    expect(q).toMatchObject({ size: 0, sources: 0 })
  })

  it('full: the longest queue gives way to another source; its own push is refused', () => {
    const q = new FairQueue<string>(4)
    for (let i = 0; i < 4; i++) expect(q.push('flood', `f${i}`)).toEqual({ admitted: true })
    expect(q.push('flood', 'f4')).toEqual({ admitted: false })
    expect(q.push('honest', 'h0')).toEqual({ admitted: true, evicted: 'f3' })
    expect(q.push('honest', 'h1')).toEqual({ admitted: true, evicted: 'f2' })
    // now 2 and 2: no queue is longer than the pusher's would be
    expect(q.push('honest', 'h2')).toEqual({ admitted: false })
    expect(q.sizeOf('flood')).toBe(2)
    expect(q.drain().sort()).toEqual(['f0', 'f1', 'h0', 'h1'])
    expect(q.size).toBe(0)
  })

  it('never holds more than maxItems, loses nothing silently, and keeps each source in order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(
          fc.oneof(
            fc.record({ push: fc.constantFrom('a', 'b', 'c', 'd') }),
            fc.record({ take: fc.integer({ min: 1, max: 8 }) }),
          ),
          { maxLength: 200 },
        ),
        (max, ops) => {
          const q = new FairQueue<{ source: string; n: number }>(max)
          let n = 0
          const pushed: number[] = []
          const gone: number[] = []
          const lastTaken = new Map<string, number>()
          for (const op of ops) {
            if ('push' in op) {
              const item = { source: op.push, n: n++ }
              const would = q.wouldAdmit(op.push)
              const r = q.push(op.push, item)
              expect(r.admitted).toBe(would)
              if (r.admitted) pushed.push(item.n)
              else gone.push(item.n)
              if (r.evicted !== undefined) gone.push(r.evicted.n)
            } else
              for (const item of q.take(op.take)) {
                expect(item.n).toBeGreaterThan(lastTaken.get(item.source) ?? -1)
                lastTaken.set(item.source, item.n)
                gone.push(item.n)
              }
            expect(q.size).toBeLessThanOrEqual(max)
          }
          for (const item of q.drain()) gone.push(item.n)
          // every item pushed is accounted for exactly once: taken, refused, evicted or drained
          expect(gone.sort((x, y) => x - y)).toEqual([...Array(n).keys()])
          expect(pushed.length).toBeLessThanOrEqual(n)
        },
      ),
    )
  })

  it('refuses a bound below one', () => {
    expect(() => new FairQueue(0)).toThrow(RangeError)
  })
})
