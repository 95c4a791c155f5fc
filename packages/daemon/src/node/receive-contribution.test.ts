import { decodeContribution, encodeContribution, originOf, signContribution } from '@alara/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type FakeComponents,
  fakeComponents,
  fakePeer,
  signedContribution,
} from '../test-helpers/fake-components.js'
import { VerifyPool } from '../verify/verify-pool.js'
import { Ingest } from './ingest.js'

/** The receive path split over the pool's threads and this one (receive-contribution.ts). */

let f: FakeComponents
let pool: VerifyPool
beforeEach(async () => {
  f = await fakeComponents({ closed: false })
  pool = new VerifyPool({ threads: 2, params: f.components.params })
  pool.start()
})
afterEach(async () => {
  await pool.stop()
  await f.close()
})

describe('the receive path over the verify threads', () => {
  it("a stranger's flood is judged here, unverified, and starts no thread", async () => {
    const ingest = new Ingest(f.components, pool)
    const strangers = await Promise.all([1, 2, 3].map(() => fakePeer()))
    const flood = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        signedContribution(
          (strangers[i % 3] as Awaited<ReturnType<typeof fakePeer>>).key,
          f.components,
          { seq: i + 1 },
        ),
      ),
    )
    const results = await Promise.all(flood.map((m) => ingest.contribution(m, { via: 'gossip' })))
    expect(new Set(results.map((r) => r.verdict === 'accept' || r.reason))).toEqual(
      new Set(['STRANGER']),
    )
    expect(pool.stats()).toMatchObject({ threads: 0, pooled: 0, inline: 0 })
  })

  it("a member's burst goes to the threads, verified there; a health failure counts only when signed", async () => {
    const ingest = new Ingest(f.components, pool)
    const member = await fakePeer()
    await f.components.trust.addLan(member.peerId.toString(), member.originHex)
    await pool.warm()
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        signedContribution(member.key, f.components, { seq: i + 1 }),
      ),
    )
    const nowMs = f.components.now()
    const unhealthy = encodeContribution(
      await signContribution(member.key, {
        network: f.components.params.network,
        origin: originOf(member.peerId),
        seq: 99,
        epoch: Math.floor(nowMs / f.components.params.epochMs),
        timestampMs: nowMs,
        bitLength: 256,
        bits: new Uint8Array(32), // a run of 256 zeros: HEALTH_RCT
      }),
    )
    const c = decodeContribution(unhealthy)
    // another seq under the same signature: forged
    const forgedUnhealthy = encodeContribution({ ...c, seq: 100 })
    const results = await Promise.all(
      [...burst, unhealthy, forgedUnhealthy].map((m) => ingest.contribution(m, { via: 'gossip' })),
    )
    expect(results.slice(0, 40).every((r) => r.verdict === 'accept')).toBe(true)
    expect(results.slice(40).map((r) => r.verdict === 'accept' || r.reason)).toEqual([
      'HEALTH_RCT',
      'HEALTH_RCT',
    ])
    expect(pool.stats().pooled).toBeGreaterThanOrEqual(40)
    // counted once: the genuine one, not the forged copy
    expect(f.components.state.healthFailures.countOf(member.originHex, c.epoch)).toBe(1)
  })
})
