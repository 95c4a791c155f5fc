import { describe, expect, it } from 'vitest'
import { GOSSIP_BATCH_MESSAGES, gossipFrameLimits } from './frame-limits.js'

describe('gossipsub frame limits', () => {
  it('fit a batch of maximum-size messages (a vote with its evidence the largest), no more', () => {
    const { maxInboundDataLength, decodeRpcLimits } = gossipFrameLimits({
      maxMessageBytes: 8192,
      maxVoteBytes: 8192,
    })
    expect(maxInboundDataLength).toBeGreaterThan(GOSSIP_BATCH_MESSAGES * 8192)
    expect(maxInboundDataLength).toBeLessThan(1024 * 1024)
    expect(decodeRpcLimits.maxMessages).toBe(GOSSIP_BATCH_MESSAGES)
    const votes = gossipFrameLimits({ maxMessageBytes: 8192, maxVoteBytes: 65536 })
    expect(votes.maxInboundDataLength).toBeGreaterThan(GOSSIP_BATCH_MESSAGES * 65536)
    expect(votes.maxInboundDataLength).toBeLessThan(GOSSIP_BATCH_MESSAGES * 65536 + 1024 * 1024)
  })

  it('derive from the shared parameters only: equal on every node, growing with them', () => {
    const a = gossipFrameLimits({ maxMessageBytes: 8192, maxVoteBytes: 8192 })
    expect(gossipFrameLimits({ maxMessageBytes: 8192, maxVoteBytes: 8192 })).toEqual(a)
    const bigger = gossipFrameLimits({ maxMessageBytes: 16384, maxVoteBytes: 8192 })
    expect(bigger.maxInboundDataLength - a.maxInboundDataLength).toBe(GOSSIP_BATCH_MESSAGES * 8192)
  })
})
