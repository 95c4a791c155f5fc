import { describe, expect, it } from 'vitest'
import { InboundBackPressure, type PausableStream } from './inbound-back-pressure.js'

function stream(): PausableStream & { log: string[] } {
  const log: string[] = []
  return { log, pause: () => log.push('pause'), resume: () => log.push('resume') }
}

describe('InboundBackPressure', () => {
  it('pauses a peer over the threshold and resumes it below half; other peers are never paused', () => {
    const streams = { flooder: stream(), honest: stream() }
    const bp = new InboundBackPressure({
      pauseAt: 8,
      streamOf: (peer) => streams[peer as keyof typeof streams],
    })
    for (let i = 0; i < 8; i++) bp.begin('flooder')
    expect(bp.isPaused('flooder')).toBe(false) // at the threshold, not over it
    bp.begin('flooder')
    for (let i = 0; i < 5; i++) bp.begin('flooder') // paused once, not again
    for (let i = 0; i < 3; i++) bp.begin('honest')
    expect(streams.flooder.log).toEqual(['pause'])
    expect(bp.isPaused('flooder')).toBe(true)
    expect(bp.isPaused('honest')).toBe(false)
    // 14 being judged: still paused down to 4 (half of 8), resumed at 3
    for (let i = 0; i < 10; i++) bp.end('flooder')
    expect(bp.isPaused('flooder')).toBe(true)
    bp.end('flooder')
    expect(streams.flooder.log).toEqual(['pause', 'resume'])
    expect(bp.isPaused('flooder')).toBe(false)
    for (let i = 0; i < 3; i++) bp.end('honest')
    expect(streams.honest.log).toEqual([])
    expect(bp.stats()).toEqual({ judging: 3, paused: 0, pauses: 1 })
  })

  it('resumes the stream it paused, and survives a stream that closed meanwhile', () => {
    const first = stream()
    let current: PausableStream = first
    const bp = new InboundBackPressure({ pauseAt: 2, streamOf: () => current })
    for (let i = 0; i < 3; i++) bp.begin('p')
    current = {
      pause: () => {
        throw new Error('closed')
      },
      resume: () => {
        throw new Error('closed')
      },
    }
    for (let i = 0; i < 3; i++) bp.end('p')
    expect(first.log).toEqual(['pause', 'resume'])
    for (let i = 0; i < 3; i++) bp.begin('p') // the new stream cannot pause: not held as paused
    expect(bp.isPaused('p')).toBe(false)
  })

  it('a peer with no inbound stream is not held as paused', () => {
    const bp = new InboundBackPressure({ pauseAt: 2, streamOf: () => undefined })
    for (let i = 0; i < 5; i++) bp.begin('p')
    expect(bp.isPaused('p')).toBe(false)
  })
})
