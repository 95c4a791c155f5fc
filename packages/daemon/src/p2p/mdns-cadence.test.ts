import { afterEach, describe, expect, it, vi } from 'vitest'
import { MdnsCadence, type RestartableDiscovery } from './mdns-cadence.js'

/** A discovery service that counts its starts (each sends mDNS's start-up query). */
function fakeMdns(): RestartableDiscovery & { starts: number; stops: number } {
  let started = true
  return {
    starts: 0,
    stops: 0,
    isStarted: () => started,
    async start() {
      this.starts++
      started = true
    },
    async stop() {
      this.stops++
      started = false
    },
  }
}

describe('MdnsCadence', () => {
  afterEach(() => vi.useRealTimers())

  it('queries again at each early moment, then leaves the long interval alone', async () => {
    vi.useFakeTimers()
    const mdns = fakeMdns()
    const cadence = new MdnsCadence(mdns, [2_000, 5_000])
    cadence.start()
    await vi.advanceTimersByTimeAsync(1_999)
    expect(mdns.starts).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect([mdns.stops, mdns.starts]).toEqual([1, 1])
    await vi.advanceTimersByTimeAsync(3_000)
    expect([mdns.stops, mdns.starts]).toEqual([2, 2])
    await vi.advanceTimersByTimeAsync(600_000)
    expect(mdns.starts).toBe(2)
    expect(mdns.isStarted()).toBe(true)
    await cadence.stop()
  })

  it('does nothing after stop, and nothing without mDNS', async () => {
    vi.useFakeTimers()
    const mdns = fakeMdns()
    const cadence = new MdnsCadence(mdns, [2_000])
    cadence.start()
    await cadence.stop()
    await vi.advanceTimersByTimeAsync(10_000)
    expect([mdns.stops, mdns.starts]).toEqual([0, 0])
    const none = new MdnsCadence(undefined)
    none.start()
    await none.stop()
  })
})
