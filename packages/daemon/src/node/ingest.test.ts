import { toHex } from '@alara/protocol'
import type { PrivateKey } from '@libp2p/interface'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  contributionIdHex,
  type FakeComponents,
  fakeComponents,
  fakePeer,
  signedContribution,
  signedVote,
  voteCovering,
} from '../test-helpers/fake-components.js'
import { VerifyPool } from '../verify/verify-pool.js'
import { Ingest } from './ingest.js'
import { STATE_LIMITS } from './state.js'

let f: FakeComponents
let ingest: Ingest

beforeEach(async () => {
  f = await fakeComponents()
  ingest = new Ingest(f.components)
})
afterEach(() => f.close())

/** A member votes r covering `ids`, and the ids behind its digest arrive (as by BEHIND). */
async function vouch(key: PrivateKey, r: number, ids: string[]): Promise<void> {
  const { encoded, digestHex } = await voteCovering(key, f.components, r, ids)
  expect(ingest.vote(encoded, { via: 'gossip' }).verdict).toBe('accept')
  expect(f.components.state.recordIdsBehind(r, digestHex, ids)).toBe(true)
  ingest.admitHeld(r)
}

describe('ingest: contributions', () => {
  it('accepts a valid one: stored, folded, announced once', async () => {
    const peer = await fakePeer()
    const bytes = await signedContribution(peer.key, f.components)
    const result = await ingest.contribution(bytes, { via: 'gossip' })
    expect(result.verdict).toBe('accept')
    const { replica } = f.components.state
    expect(replica.storedTotal).toBe(1)
    expect(replica.foldedTotal).toBe(1)
    const folded = f.eventsOf('contribution:folded')
    expect(folded).toHaveLength(1)
    expect(folded[0]).toMatchObject({ originHex: peer.originHex, bitLength: 256, via: 'gossip' })
    // the same bytes again: a duplicate, ignored, nothing new announced
    const again = await ingest.contribution(bytes, { via: 'gossip', from: peer.peerId })
    expect(again).toMatchObject({ verdict: 'ignore' })
    expect(f.eventsOf('contribution:folded')).toHaveLength(1)
    expect(f.eventsOf('contribution:refused')).toEqual([
      {
        verdict: 'ignore',
        reason: (again as { reason: string }).reason,
        via: 'gossip',
        from: peer.peerId.toString(),
      },
    ])
  })

  it('stores without folding an origin with trust 0', async () => {
    const peer = await fakePeer()
    await f.components.trust.set(peer.peerId.toString(), 0, true)
    f.components.state.replica.setTrust(peer.originHex, { trust: 0, active: true })
    const result = await ingest.contribution(await signedContribution(peer.key, f.components), {
      via: 'sync',
    })
    expect(result.verdict).toBe('accept')
    expect(f.components.state.replica.foldedTotal).toBe(0)
    expect(f.eventsOf('contribution:stored')).toHaveLength(1)
    expect(f.eventsOf('contribution:folded')).toHaveLength(0)
  })

  it('rejects garbage without changing anything', async () => {
    const result = await ingest.contribution(new Uint8Array([1, 2, 3]), { via: 'gossip' })
    expect(result.verdict).toBe('reject')
    expect(f.components.state.replica.storedTotal).toBe(0)
    expect(f.eventsOf('contribution:refused')[0]).toMatchObject({
      verdict: 'reject',
      via: 'gossip',
    })
  })

  it('a closed epoch takes a contribution by sync only, vouched, and its digest is marked changed', async () => {
    const { state, params } = f.components
    const peer = await fakePeer()
    const voucher = await fakePeer()
    const r = state.currentEpoch(f.clock.ms)
    const bytes = await signedContribution(peer.key, f.components, { epoch: r })
    f.clock.ms = (r + 1) * params.epochMs + params.graceMs + 1 // r is closed now: round 1
    state.closed.add(r)
    expect((await ingest.contribution(bytes, { via: 'gossip' })).verdict).not.toBe('accept')
    // by sync, with no member vouching for it yet: held, not folded
    expect(await ingest.contribution(bytes, { via: 'sync' })).toEqual({
      verdict: 'ignore',
      reason: 'UNVOUCHED',
    })
    expect(state.replica.has(contributionIdHex(bytes))).toBe(false)
    // a member's vote covering it, with the ids behind its digest: it enters (round 1)
    await vouch(voucher.key, r, [contributionIdHex(bytes)])
    expect(state.replica.isFolded(contributionIdHex(bytes))).toBe(true)
    expect(state.digestChanged.has(r)).toBe(true)
    expect(f.eventsOf('digest:changed')).toEqual([{ epoch: r }])
    // repaired contributions wait for commitRepairs (written synced, in one batch)
    expect(state.takeRepaired().map((x) => x.epoch)).toEqual([r])
  })
})

describe('ingest: contributions through the verification pool', () => {
  let pool: VerifyPool
  beforeEach(async () => {
    pool = new VerifyPool({ threads: 2, params: f.components.params })
    pool.start()
    await pool.warm() // loaded threads: a burst goes to them, not to this thread meanwhile
  })
  afterEach(() => pool.stop())

  it('gives the verdicts in-thread validation gives, for valid and forged signatures', async () => {
    const peers = await Promise.all([1, 2, 3].map(() => fakePeer()))
    const messages: Uint8Array[] = []
    for (let i = 0; i < 60; i++) {
      const peer = peers[i % 3] as Awaited<ReturnType<typeof fakePeer>>
      const bytes = await signedContribution(peer.key, f.components, { seq: i + 1 })
      if (i % 4 === 3) bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0x10 // forged
      messages.push(bytes)
    }
    const inThread = await Promise.all(
      messages.map((m) => ingest.contribution(m, { via: 'gossip' })),
    )
    const g = await fakeComponents()
    try {
      g.clock.ms = f.clock.ms
      const pooled = new Ingest(g.components, pool)
      const viaPool = await Promise.all(
        messages.map((m) => pooled.contribution(m, { via: 'gossip' })),
      )
      const verdicts = (rs: typeof viaPool) =>
        rs.map((r) => (r.verdict === 'accept' ? 'accept' : `${r.verdict} ${r.reason}`))
      expect(verdicts(viaPool)).toEqual(verdicts(inThread))
      expect(verdicts(viaPool).filter((v) => v === 'reject BAD_SIGNATURE')).toHaveLength(15)
      expect(g.components.state.replica.storedTotal).toBe(45)
      expect(pool.stats().pooled).toBeGreaterThan(0)
    } finally {
      await g.close()
    }
  })

  it('judges against the state once the signature is known: final meanwhile is ignored', async () => {
    const peer = await fakePeer()
    const { state } = f.components
    const r = state.currentEpoch(f.clock.ms)
    const pooled = new Ingest(f.components, pool)
    const bytes = await signedContribution(peer.key, f.components, { epoch: r })
    const other = await signedContribution(peer.key, f.components, { epoch: r, seq: 2 })
    const pending = [
      pooled.contribution(bytes, { via: 'sync' }),
      pooled.contribution(other, { via: 'sync' }),
    ]
    state.replica.finalize(r) // while the signatures are on the threads
    const results = await Promise.all(pending)
    expect(results.map((x) => x.verdict === 'accept' || x.reason)).toEqual([
      'EPOCH_FINAL',
      'EPOCH_FINAL',
    ])
    expect(state.replica.storedTotal).toBe(0)
  })

  it('sheds what a full pool refuses: ignored as BUSY (no penalty), nothing stored', async () => {
    const small = new VerifyPool({ threads: 1, maxQueued: 2, params: f.components.params })
    small.start()
    try {
      const peer = await fakePeer()
      const pooled = new Ingest(f.components, small)
      const messages = await Promise.all(
        [1, 2, 3, 4, 5].map((seq) => signedContribution(peer.key, f.components, { seq })),
      )
      const results = await Promise.all(
        messages.map((m) => pooled.contribution(m, { via: 'gossip' })),
      )
      expect(
        results.map((r) => (r.verdict === 'accept' ? 'accept' : `${r.verdict} ${r.reason}`)),
      ).toEqual(['accept', 'accept', 'accept', 'ignore BUSY', 'ignore BUSY']) // in-thread (quiet), queued ×2, shed ×2
      expect(f.components.state.replica.storedTotal).toBe(3)
    } finally {
      await small.stop()
    }
  })

  it('a stopped pool verifies in the calling thread: same verdict', async () => {
    await pool.stop()
    const peer = await fakePeer()
    const pooled = new Ingest(f.components, pool)
    const result = await pooled.contribution(await signedContribution(peer.key, f.components), {
      via: 'gossip',
    })
    expect(result.verdict).toBe('accept')
  })
})

describe('ingest: votes', () => {
  it('records a vote, and asks for repair when it disagrees with a closed epoch', async () => {
    const { state } = f.components
    const peer = await fakePeer()
    const r = state.currentEpoch(f.clock.ms) - 1
    state.closed.add(r)
    const bytes = await signedVote(peer.key, f.components, r, new Uint8Array(32).fill(9))
    expect(ingest.vote(bytes, { via: 'gossip' })).toEqual({ verdict: 'accept' })
    expect(state.votes.votesOf(r)).toHaveLength(1)
    expect(f.eventsOf('vote:received')).toEqual([
      {
        originHex: peer.originHex,
        epoch: r,
        digestHex: toHex(new Uint8Array(32).fill(9)),
        count: 1,
        via: 'gossip',
      },
    ])
    expect(f.eventsOf('repair:needed')).toEqual([
      { epoch: r, peerId: peer.peerId.toString(), digestHex: expect.any(String) },
    ])
  })

  it('an origin re-voting an epoch past the bound is ignored (TOO_MANY_VOTES), before a verify', async () => {
    const peer = await fakePeer()
    const r = f.components.state.currentEpoch(f.clock.ms) - 1
    const limit = STATE_LIMITS.votesPerOriginEpoch
    for (let i = 0; i < limit; i++) {
      f.clock.ms += 1
      const bytes = await signedVote(peer.key, f.components, r, new Uint8Array(32).fill(i))
      expect(ingest.vote(bytes, { via: 'gossip' }).verdict).toBe('accept')
    }
    f.clock.ms += 1
    const over = await signedVote(peer.key, f.components, r, new Uint8Array(32).fill(255))
    expect(ingest.vote(over, { via: 'gossip' })).toMatchObject({
      verdict: 'ignore',
      reason: 'TOO_MANY_VOTES',
    })
    // another epoch, another origin: unaffected; pruning the window forgets the count
    const other = await fakePeer()
    const fresh = await signedVote(other.key, f.components, r, new Uint8Array(32).fill(1))
    expect(ingest.vote(fresh, { via: 'gossip' }).verdict).toBe('accept')
    f.components.state.prune(r + 1)
    expect(f.components.state.votesAccepted.countOf(peer.originHex, r)).toBe(0)
  })

  it('the vote already held comes back by sync (a catch-up) as DUPLICATE, before a verify', async () => {
    const { state } = f.components
    const peer = await fakePeer()
    const r = state.currentEpoch(f.clock.ms) - 1
    const bytes = await signedVote(peer.key, f.components, r, new Uint8Array(32).fill(3))
    expect(ingest.vote(bytes, { via: 'gossip' }).verdict).toBe('accept')
    f.emitted.length = 0
    expect(ingest.vote(bytes, { via: 'sync' })).toMatchObject({
      verdict: 'ignore',
      reason: 'DUPLICATE',
    })
    // decided before the signature: the same signed fields with a broken signature too
    const broken = bytes.slice()
    broken[broken.length - 1] = (bytes.at(-1) ?? 0) ^ 1 // the last byte is the signature's
    expect(ingest.vote(broken, { via: 'sync' })).toMatchObject({ reason: 'DUPLICATE' })
    expect(f.eventsOf('vote:received')).toEqual([])
    // gossip judges it as before (gossipsub dedupes its own copies; a copy after a
    // catch-up is relayed): the broken one by its signature
    expect(ingest.vote(broken, { via: 'gossip' })).toMatchObject({ reason: 'BAD_SIGNATURE' })
    // a newer vote of that origin is not a duplicate, and once it is held the old one is
    // judged again (by its signature, then found stale)
    f.clock.ms += 1
    const newer = await signedVote(peer.key, f.components, r, new Uint8Array(32).fill(4))
    expect(ingest.vote(newer, { via: 'gossip' }).verdict).toBe('accept')
    expect(ingest.vote(broken, { via: 'sync' })).toMatchObject({ reason: 'BAD_SIGNATURE' })
    expect(state.votes.voteOf(r, peer.originHex)?.digest).toEqual(new Uint8Array(32).fill(4))
  })

  it('an agreeing vote asks for nothing', async () => {
    const { state } = f.components
    const peer = await fakePeer()
    const r = state.currentEpoch(f.clock.ms) - 1
    state.closed.add(r)
    const bytes = await signedVote(peer.key, f.components, r, state.replica.digest(r), 0)
    expect(ingest.vote(bytes, { via: 'sync' }).verdict).toBe('accept')
    expect(f.eventsOf('repair:needed')).toEqual([])
  })

  it('a vote older than the retained window is ignored as EPOCH_TOO_OLD', async () => {
    const { state } = f.components
    const peer = await fakePeer()
    state.prune(state.currentEpoch(f.clock.ms) - 2)
    const old = state.replica.oldestRetainedEpoch - 1
    const bytes = await signedVote(peer.key, f.components, old, new Uint8Array(32))
    expect(ingest.vote(bytes, { via: 'gossip' })).toMatchObject({
      verdict: 'ignore',
      reason: 'EPOCH_TOO_OLD',
    })
    expect(state.votes.votesOf(old)).toEqual([])
    expect(f.eventsOf('vote:refused')).toEqual([
      { verdict: 'ignore', reason: 'EPOCH_TOO_OLD', via: 'gossip' },
    ])
  })
})
