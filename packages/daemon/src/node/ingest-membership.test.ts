import { decodeContribution, decodeVote, encodeContribution, encodeVote } from '@alara/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type FakeComponents,
  fakeComponents,
  fakePeer,
  signedContribution,
  signedVote,
} from '../test-helpers/fake-components.js'
import { agreementAt } from './consensus-view.js'
import { Ingest } from './ingest.js'
import { STRANGER_VOTES_PER_EPOCH } from './state.js'

/** The receive path on an open network: members, admitted non-members, strangers. */

let f: FakeComponents
let ingest: Ingest
beforeEach(async () => {
  f = await fakeComponents({ closed: false })
  ingest = new Ingest(f.components)
})
afterEach(() => f.close())

const forge = (bytes: Uint8Array): Uint8Array =>
  encodeContribution({ ...decodeContribution(bytes), signature: new Uint8Array(64) })

describe('contributions by standing', () => {
  it('a stranger is ignored as STRANGER before the signature: a forged one is not rejected', async () => {
    const p = await fakePeer()
    const genuine = await signedContribution(p.key, f.components)
    expect(await ingest.contribution(forge(genuine), { via: 'gossip' })).toEqual({
      verdict: 'ignore',
      reason: 'STRANGER',
    })
    expect(await ingest.contribution(genuine, { via: 'gossip' })).toMatchObject({
      reason: 'STRANGER',
    })
    expect(await ingest.contribution(genuine, { via: 'sync' })).toMatchObject({
      reason: 'STRANGER',
    })
    expect(f.components.state.replica.storedTotal).toBe(0)
  })

  it('a member (lan or manual) is verified, stored and folded', async () => {
    const p = await fakePeer()
    await f.components.trust.addLan(p.peerId.toString(), p.originHex)
    const genuine = await signedContribution(p.key, f.components)
    expect(await ingest.contribution(forge(genuine), { via: 'gossip' })).toMatchObject({
      verdict: 'reject',
      reason: 'BAD_SIGNATURE',
    })
    expect((await ingest.contribution(genuine, { via: 'gossip' })).verdict).toBe('accept')
    expect(f.components.state.replica.foldedTotal).toBe(1)
  })

  it('trust 0 or inactive: stored, not folded', async () => {
    const p = await fakePeer()
    await f.components.trust.set(p.peerId.toString(), 0, true)
    f.components.state.replica.setTrust(p.originHex, { trust: 0, active: true })
    const genuine = await signedContribution(p.key, f.components)
    expect((await ingest.contribution(genuine, { via: 'gossip' })).verdict).toBe('accept')
    expect(f.components.state.replica.storedTotal).toBe(1)
    expect(f.components.state.replica.foldedTotal).toBe(0)
  })
})

describe('votes by standing', () => {
  it('strangers: a few per epoch kept, listed not counted, not persisted; the rest unverified', async () => {
    const { state, store } = f.components
    const r = state.currentEpoch(f.clock.ms) - 1
    state.closed.add(r)
    const other = new Uint8Array(32).fill(9)
    const strangers = await Promise.all(
      Array.from({ length: STRANGER_VOTES_PER_EPOCH + 4 }, () => fakePeer()),
    )
    for (const s of strangers) {
      const res = ingest.vote(await signedVote(s.key, f.components, r, other), { via: 'gossip' })
      expect(res).toEqual({ verdict: 'ignore', reason: 'STRANGER' })
    }
    expect(state.strangerVotes.votesOf(r)).toHaveLength(STRANGER_VOTES_PER_EPOCH)
    expect(state.votes.votesOf(r)).toHaveLength(0)
    await store.flush()
    const persisted: Uint8Array[] = []
    for await (const bytes of store.votesFrom(0)) persisted.push(bytes)
    expect(persisted).toEqual([])
    // a forged vote of one more stranger: the list is full, so no signature is checked
    const late = await fakePeer()
    const v = decodeVote(await signedVote(late.key, f.components, r, other))
    const forged = encodeVote({ ...v, count: v.count + 1 })
    expect(ingest.vote(forged, { via: 'gossip' })).toEqual({
      verdict: 'ignore',
      reason: 'STRANGER',
    })
    const result = agreementAt(f.components, r)
    expect(result.status).toBe('alone')
    expect(result.voters.filter((x) => !x.member && !x.counted)).toHaveLength(
      STRANGER_VOTES_PER_EPOCH,
    )
    expect(f.eventsOf('repair:needed')).toEqual([])
  })

  it('a stranger that becomes a member: the same vote again by sync is counted, not a duplicate', async () => {
    const { state } = f.components
    const r = state.currentEpoch(f.clock.ms) - 1
    const p = await fakePeer()
    const bytes = await signedVote(p.key, f.components, r, new Uint8Array(32).fill(5))
    expect(ingest.vote(bytes, { via: 'sync' })).toEqual({ verdict: 'ignore', reason: 'STRANGER' })
    expect(state.strangerVotes.votesOf(r)).toHaveLength(1)
    await f.components.trust.addLan(p.peerId.toString(), p.originHex)
    // a catch-up brings the very same vote back
    expect(ingest.vote(bytes, { via: 'sync' })).toEqual({ verdict: 'accept' })
    expect(
      agreementAt(f.components, r).voters.find((x) => x.originHex === p.originHex),
    ).toMatchObject({ member: true, counted: true })
    // and once it is in the vote book, a third copy is the duplicate
    expect(ingest.vote(bytes, { via: 'sync' })).toMatchObject({ reason: 'DUPLICATE' })
  })

  it('a member’s differing vote asks for repair and is counted', async () => {
    const { state } = f.components
    const r = state.currentEpoch(f.clock.ms) - 1
    state.closed.add(r)
    const m = await fakePeer()
    await f.components.trust.set(m.peerId.toString(), 1, true)
    const other = new Uint8Array(32).fill(9)
    expect(ingest.vote(await signedVote(m.key, f.components, r, other), { via: 'gossip' })).toEqual(
      { verdict: 'accept' },
    )
    expect(f.eventsOf('repair:needed')).toEqual([
      { epoch: r, peerId: m.peerId.toString(), digestHex: expect.any(String) },
    ])
    const result = agreementAt(f.components, r)
    expect(result.status).toBe('split')
    expect(result.voters.find((x) => x.originHex === m.originHex)).toMatchObject({
      member: true,
      counted: true,
    })
  })
})
