import {
  ALPHA_BYTES,
  commitId,
  commitValue,
  encodeCommit,
  encodeElement,
  encodeVote,
  epochDigest,
  heldCommitsDigest,
  originOf,
  signCommit,
  signVote,
  toHex,
} from '@alara/protocol'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Ingest } from '../node/ingest.js'
import { type FakeComponents, fakeComponents, fakePeer } from '../test-helpers/fake-components.js'
import { BeaconIngest } from './beacon-ingest.js'

/**
 * DESIGN.md "Admission after close" for commits ("Freeze": commits missing at close are
 * admitted by repair as contributions are): after close a commit enters in round k only
 * with vouchers from k members, a voucher being a vote whose held-commits digest covers
 * it with the commits behind that digest checked; nothing enters after the deadline.
 */

let f: FakeComponents
let beacon: BeaconIngest
let ingest: Ingest
beforeEach(async () => {
  f = await fakeComponents()
  beacon = new BeaconIngest(f.components)
  ingest = new Ingest(f.components, undefined, (v, bare) => beacon.vote(v, bare))
})
afterEach(() => f.close())

const epochNow = () => Math.floor(f.clock.ms / f.components.params.epochMs)

async function commitOf(key: PrivateKey, r: number, beforeEndMs = 10) {
  const alpha = new Uint8Array(ALPHA_BYTES).fill(3)
  const u = {
    network: f.components.params.network,
    origin: originOf(peerIdFromPrivateKey(key)),
    epoch: r,
    c: encodeElement(commitValue(alpha)),
    timestampMs: (r + 1) * f.components.params.epochMs - beforeEndMs,
  }
  return { encoded: encodeCommit(await signCommit(key, u)), idHex: toHex(commitId(u)) }
}

/** A member's vote for r whose held-commits digest covers `commitIds`. */
async function voteCovering(key: PrivateKey, r: number, commitIds: string[]) {
  const { params } = f.components
  return encodeVote(
    await signVote(key, {
      network: params.network,
      origin: originOf(peerIdFromPrivateKey(key)),
      epoch: r,
      digest: epochDigest(params.network, r, []),
      count: 0,
      beacon: new Uint8Array(0),
      timestampMs: f.clock.ms,
      commitsDigest: heldCommitsDigest(params.network, r, commitIds),
      commitCount: commitIds.length,
    }),
  )
}

describe('commits after close', () => {
  it('enter in round 1 once one member vouches, with the set behind its digest checked', async () => {
    const { params, state } = f.components
    const r = epochNow() - 1
    // round 1: just after close(r)
    f.clock.ms = (r + 1) * params.epochMs + params.graceMs + 1
    state.closed.add(r)
    const origin = await fakePeer()
    const voter = await fakePeer()
    const c = await commitOf(origin.key, r)
    expect(beacon.commit(c.encoded, { via: 'sync' })).toEqual({
      verdict: 'ignore',
      reason: 'UNVOUCHED',
    })
    expect(state.beacons.ifAny(r)?.commits.has(c.idHex)).toBe(false)
    // the voter's vote covers it; the set behind its digest arrives (sync BEACON answer)
    expect(ingest.vote(await voteCovering(voter.key, r, [c.idHex]), { via: 'gossip' })).toEqual({
      verdict: 'accept',
    })
    const digestHex = toHex(heldCommitsDigest(params.network, r, [c.idHex]))
    const served = beacon.checkServedCommit(c.encoded)
    expect(served).toBeDefined()
    expect(beacon.recordSet(r, digestHex, [served as NonNullable<typeof served>])).toBe(true)
    expect(state.beacons.ifAny(r)?.commits.has(c.idHex)).toBe(true)
    expect(state.beacons.ifAny(r)?.late.get(c.idHex)).toBe(1)
  })

  it('a set that does not hash to the digest is refused and vouches for nothing', async () => {
    const { params, state } = f.components
    const r = epochNow() - 1
    f.clock.ms = (r + 1) * params.epochMs + params.graceMs + 1
    state.closed.add(r)
    const [a, b, voter] = [await fakePeer(), await fakePeer(), await fakePeer()]
    const ca = await commitOf(a.key, r)
    const cb = await commitOf(b.key, r)
    ingest.vote(await voteCovering(voter.key, r, [ca.idHex]), { via: 'gossip' })
    const digestHex = toHex(heldCommitsDigest(params.network, r, [ca.idHex]))
    const served = beacon.checkServedCommit(cb.encoded) as NonNullable<
      ReturnType<typeof beacon.checkServedCommit>
    >
    expect(beacon.recordSet(r, digestHex, [served])).toBe(false)
    expect(beacon.commit(cb.encoded, { via: 'sync' })).toMatchObject({ reason: 'UNVOUCHED' })
  })

  it('round k needs k vouchers: one member is not enough in round 2', async () => {
    const { params, state } = f.components
    const r = epochNow() - 1
    // round 2
    f.clock.ms = (r + 1) * params.epochMs + params.graceMs + params.roundMs + 1
    state.closed.add(r)
    const [origin, v1, v2] = [await fakePeer(), await fakePeer(), await fakePeer()]
    const c = await commitOf(origin.key, r)
    const digestHex = toHex(heldCommitsDigest(params.network, r, [c.idHex]))
    ingest.vote(await voteCovering(v1.key, r, [c.idHex]), { via: 'gossip' })
    const served = beacon.checkServedCommit(c.encoded) as NonNullable<
      ReturnType<typeof beacon.checkServedCommit>
    >
    beacon.recordSet(r, digestHex, [served])
    expect(state.beacons.ifAny(r)?.commits.has(c.idHex)).toBe(false)
    ingest.vote(await voteCovering(v2.key, r, [c.idHex]), { via: 'gossip' })
    expect(state.beacons.ifAny(r)?.commits.has(c.idHex)).toBe(true)
    expect(state.beacons.ifAny(r)?.late.get(c.idHex)).toBe(2)
  })

  it('nothing enters after the admission deadline, vouched or not', async () => {
    const { params, state } = f.components
    const r = epochNow() - 2
    const deadline =
      (r + 1) * params.epochMs + params.graceMs + (params.byzantineRounds + 1) * params.roundMs
    f.clock.ms = deadline + 1
    state.closed.add(r)
    const c = await commitOf((await fakePeer()).key, r)
    expect(beacon.commit(c.encoded, { via: 'sync' })).toEqual({
      verdict: 'ignore',
      reason: 'AFTER_DEADLINE',
    })
  })

  it('a second commit of one origin makes it an equivocator, with both commits kept', async () => {
    const { state } = f.components
    const r = epochNow()
    const origin = await fakePeer()
    const first = await commitOf(origin.key, r)
    const alpha = new Uint8Array(ALPHA_BYTES).fill(9)
    const second = encodeCommit(
      await signCommit(origin.key, {
        network: f.components.params.network,
        origin: originOf(origin.peerId),
        epoch: r,
        c: encodeElement(commitValue(alpha)),
        timestampMs: f.clock.ms,
      }),
    )
    expect(beacon.commit(first.encoded, { via: 'gossip' })).toEqual({ verdict: 'accept' })
    expect(beacon.commit(second, { via: 'gossip' })).toEqual({ verdict: 'accept' })
    const held = state.beacons.ifAny(r)?.commits
    expect(held?.equivocations().map((e) => e.originHex)).toEqual([origin.originHex])
    expect(held?.commitSet(f.components.params.timelockSquarings, () => true).members).toEqual([])
    expect(f.eventsOf('beacon:equivocation')).toMatchObject([
      { epoch: r, originHex: origin.originHex },
    ])
    // a third is not worth a verify
    const third = await commitOf(origin.key, r, 20)
    expect(beacon.commit(third.encoded, { via: 'gossip' })).toMatchObject({
      reason: 'TOO_MANY_COMMITS',
    })
  })
})
