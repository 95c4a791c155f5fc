import { decodeSyncResponse, decodeVote, epochDigest, fromHex, toHex } from '@alara/protocol'
import type { PrivateKey } from '@libp2p/interface'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { answerOf } from '../sync/answers.js'
import {
  contributionIdHex,
  type FakeComponents,
  fakeComponents,
  fakePeer,
  signedContribution,
  voteCovering,
} from '../test-helpers/fake-components.js'
import { ADMISSION_LIMITS } from './admission.js'
import { Ingest } from './ingest.js'

/**
 * DESIGN.md "Admission after close" at one node, through the one receive path: after
 * close(r) an item of r enters only by repair, in round k with vouchers from k distinct
 * counted members other than the node (a member's vote whose digest covers the item, with
 * the ids behind it known), checked on every arrival, and nothing after the deadline
 * close + (K + 1)·R. Fake clock, no network.
 */

let f: FakeComponents
let ingest: Ingest
let r: number
let closeMs: number

beforeEach(async () => {
  f = await fakeComponents()
  ingest = new Ingest(f.components)
  const { state, params } = f.components
  r = state.currentEpoch(f.clock.ms)
  closeMs = (r + 1) * params.epochMs + params.graceMs
  state.closed.add(r)
})
afterEach(() => f.close())

/** The moment `ms` into round k (1-based) of epoch r. */
const inRound = (k: number, ms = 1): number => closeMs + (k - 1) * f.components.params.roundMs + ms

async function item(): Promise<{ bytes: Uint8Array; id: string }> {
  const author = await fakePeer()
  const timestampMs = r * f.components.params.epochMs + 100
  const bytes = await signedContribution(author.key, f.components, { epoch: r, timestampMs })
  return { bytes, id: contributionIdHex(bytes) }
}

async function vouch(key: PrivateKey, ids: string[], withIds = true): Promise<string> {
  const { encoded, digestHex } = await voteCovering(key, f.components, r, ids)
  expect(ingest.vote(encoded, { via: 'gossip' }).verdict).toBe('accept')
  if (withIds) {
    f.components.state.recordIdsBehind(r, digestHex, ids)
    ingest.admitHeld(r)
  }
  return digestHex
}

const folded = (id: string): boolean => f.components.state.replica.isFolded(id)

const digestOf = (ids: string[]): string =>
  toHex(
    epochDigest(
      f.components.params.network,
      r,
      ids.map((id) => fromHex(id)),
    ),
  )

describe('admission after close', () => {
  it('before close an item enters by sync freely; after, it needs its round’s vouchers', async () => {
    const early = await item()
    f.clock.ms = closeMs // close itself is still open
    expect((await ingest.contribution(early.bytes, { via: 'sync' })).verdict).toBe('accept')
    const late = await item()
    f.clock.ms = inRound(1)
    expect((await ingest.contribution(late.bytes, { via: 'sync' })).verdict).toBe('ignore')
    expect(folded(late.id)).toBe(false)
  })

  it('round k needs k distinct members; a held item enters when the k-th voucher arrives', async () => {
    const x = await item()
    const [a, b, c] = [await fakePeer(), await fakePeer(), await fakePeer()]
    f.clock.ms = inRound(2)
    await vouch(a.key, [x.id])
    expect(await ingest.contribution(x.bytes, { via: 'sync' })).toEqual({
      verdict: 'ignore',
      reason: 'UNVOUCHED',
    })
    // the same member again with another digest covering it: still one voucher
    await vouch(a.key, [x.id, (await item()).id])
    expect(folded(x.id)).toBe(false)
    // a vote whose ids are not known does not vouch yet; they arrive: it does
    const setB = [x.id, (await item()).id]
    const digestB = await vouch(b.key, setB, false)
    expect(folded(x.id)).toBe(false)
    f.components.state.recordIdsBehind(r, digestB, setB)
    ingest.admitHeld(r)
    expect(folded(x.id)).toBe(true)
    expect(f.components.state.admission.admittedAfterClose(r).get(x.id)).toBe(2)
    // in round 3, three are needed
    const y = await item()
    f.clock.ms = inRound(3)
    await vouch(a.key, [y.id])
    await vouch(b.key, [y.id])
    expect((await ingest.contribution(y.bytes, { via: 'sync' })).verdict).toBe('ignore')
    await vouch(c.key, [y.id])
    expect(folded(y.id)).toBe(true)
  })

  it('this node’s own vote and strangers’ votes never vouch', async () => {
    const open = await fakeComponents({ closed: false, startMs: f.clock.ms })
    try {
      const openIngest = new Ingest(open.components)
      open.components.state.closed.add(r)
      const author = await fakePeer()
      await open.components.trust.set(author.peerId.toString(), 0.8, true)
      const bytes = await signedContribution(author.key, open.components, { epoch: r })
      const id = contributionIdHex(bytes)
      open.clock.ms = inRound(1)
      const stranger = await fakePeer()
      const covering = await voteCovering(stranger.key, open.components, r, [id])
      openIngest.vote(covering.encoded, { via: 'gossip' })
      open.components.state.recordIdsBehind(r, covering.digestHex, [id])
      expect((await openIngest.contribution(bytes, { via: 'sync' })).verdict).toBe('ignore')
      const own = await voteCovering(open.components.privateKey, open.components, r, [id])
      openIngest.vote(own.encoded, { via: 'gossip' })
      open.components.state.recordIdsBehind(r, own.digestHex, [id])
      openIngest.admitHeld(r)
      expect(open.components.state.replica.has(id)).toBe(false)
    } finally {
      await open.close()
    }
  })

  it('a later vote that drops an item withdraws nothing: every distinct vote vouches', async () => {
    const x = await item()
    const other = await item()
    const a = await fakePeer()
    f.clock.ms = inRound(1)
    await vouch(a.key, [x.id])
    await vouch(a.key, [other.id]) // newer, without x
    expect((await ingest.contribution(x.bytes, { via: 'sync' })).verdict).toBe('accept')
  })

  it('every distinct vote of a member is relayed by sync while the epoch admits', async () => {
    const a = await fakePeer()
    const x = await item()
    const y = await item()
    f.clock.ms = inRound(1)
    await vouch(a.key, [x.id])
    await vouch(a.key, [y.id])
    const { network } = f.components.params
    const res = decodeSyncResponse(
      answerOf(f.components.state, network, { kind: 'votes', network, fromEpoch: r, toEpoch: r }),
    )
    expect(res.votes.map((v) => toHex(decodeVote(v).digest)).sort()).toEqual(
      [digestOf([x.id]), digestOf([y.id])].sort(),
    )
  })

  it('nothing enters after the deadline; items still held then are dropped', async () => {
    const { params } = f.components
    const x = await item()
    const a = await fakePeer()
    f.clock.ms = inRound(params.byzantineRounds + 1, params.roundMs) // the deadline itself
    await vouch(a.key, [x.id])
    const held = await item()
    expect((await ingest.contribution(held.bytes, { via: 'sync' })).verdict).toBe('ignore')
    f.clock.ms += 1
    expect(await ingest.contribution(x.bytes, { via: 'sync' })).toEqual({
      verdict: 'ignore',
      reason: 'AFTER_DEADLINE',
    })
    await vouch(a.key, [held.id])
    expect(folded(held.id)).toBe(false)
    expect(f.components.state.admission.heldOf(r)).toEqual([])
  })

  it('an epoch caught up on (not closed here) takes items freely: catch-up freezes it', async () => {
    f.components.state.closed.delete(r)
    f.components.state.backfill.add(r)
    const x = await item()
    f.clock.ms = inRound(2)
    expect((await ingest.contribution(x.bytes, { via: 'sync' })).verdict).toBe('accept')
  })

  it('holds a bounded number of items per epoch', () => {
    expect(ADMISSION_LIMITS.heldPerEpoch).toBeGreaterThan(0)
    const admission = f.components.state.admission
    const fake = (i: number) => ({
      v: { idHex: i.toString(16).padStart(64, '0') } as never,
      encoded: new Uint8Array(1),
    })
    for (let i = 0; i < ADMISSION_LIMITS.heldPerEpoch; i++)
      expect(admission.hold(r, fake(i))).toBe(true)
    expect(admission.hold(r, fake(ADMISSION_LIMITS.heldPerEpoch))).toBe(false)
    expect(admission.heldOf(r)).toHaveLength(ADMISSION_LIMITS.heldPerEpoch)
  })
})
