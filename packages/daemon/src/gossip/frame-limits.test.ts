import { describe, expect, it } from 'vitest'
import { GOSSIP_BATCH_MESSAGES, gossipFrameLimits } from './frame-limits.js'

describe('gossipsub frame limits', () => {
  it('fit a batch of maximum-size messages, and far less than the old 4 MiB', () => {
    const { maxInboundDataLength, decodeRpcLimits } = gossipFrameLimits({ maxMessageBytes: 8192 })
    expect(maxInboundDataLength).toBeGreaterThan(GOSSIP_BATCH_MESSAGES * 8192)
    expect(maxInboundDataLength).toBeLessThan(1024 * 1024)
    expect(decodeRpcLimits.maxMessages).toBe(GOSSIP_BATCH_MESSAGES)
  })

  it('derive from the shared parameters only: equal on every node, growing with them', () => {
    const a = gossipFrameLimits({ maxMessageBytes: 8192 })
    expect(gossipFrameLimits({ maxMessageBytes: 8192 })).toEqual(a)
    const bigger = gossipFrameLimits({ maxMessageBytes: 16384 })
    expect(bigger.maxInboundDataLength - a.maxInboundDataLength).toBe(GOSSIP_BATCH_MESSAGES * 8192)
  })
})
