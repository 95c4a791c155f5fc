import { CompactContribution, toHex } from '@alara/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  type FakeComponents,
  fakeComponents,
  fakePeer,
  signedContribution,
  signedVote,
} from '../test-helpers/fake-components.js'
import { Ingest } from './ingest.js'

/** A message as gossipsub hands it over: a view into a much larger RPC frame. */
function inFrame(message: Uint8Array, frameBytes = 1024 * 1024): Uint8Array {
  const frame = new Uint8Array(frameBytes)
  frame.set(message, 1000)
  return frame.subarray(1000, 1000 + message.length)
}

const ownsItsBuffer = (bytes: Uint8Array): boolean => bytes.buffer.byteLength === bytes.length

let f: FakeComponents
let ingest: Ingest
beforeEach(async () => {
  f = await fakeComponents()
  ingest = new Ingest(f.components)
})
afterEach(() => f.close())

describe('what is kept from a frame is a copy', () => {
  it('a contribution: the replica entry and the repaired bytes own small buffers', async () => {
    const peer = await fakePeer()
    const message = await signedContribution(peer.key, f.components)
    const view = inFrame(message)
    expect(ownsItsBuffer(view)).toBe(false)
    const result = await ingest.contribution(view, { via: 'sync' })
    expect(result.verdict).toBe('accept')
    if (result.verdict !== 'accept') return
    const kept = f.components.state.replica.get(result.v.idHex)
    // kept as its encoded bytes, in a buffer of their own; decoded fields view only those
    expect(kept).toBeInstanceOf(CompactContribution)
    const bytes = (kept as CompactContribution).bytes
    expect(bytes).toEqual(message)
    expect(ownsItsBuffer(bytes)).toBe(true)
    const c = kept?.contribution
    for (const field of [c?.origin, c?.bits, c?.signature])
      expect((field as Uint8Array).buffer.byteLength).toBe(message.length)
    expect(kept?.idHex).toBe(result.v.idHex)
    expect(kept?.contribution).toEqual(result.v.contribution)
    const [repaired] = f.components.state.takeRepaired()
    expect(repaired?.encoded).toEqual(message)
    expect(ownsItsBuffer(repaired?.encoded as Uint8Array)).toBe(true)
  })

  it('a vote: the vote book keeps its own encoded bytes and digest', async () => {
    const peer = await fakePeer()
    const epoch = f.components.state.currentEpoch(f.clock.ms) - 1
    const message = await signedVote(peer.key, f.components, epoch, new Uint8Array(32).fill(3))
    expect(ingest.vote(inFrame(message), { via: 'gossip' }).verdict).toBe('accept')
    const held = f.components.state.votes.voteOf(epoch, peer.originHex)
    expect(held?.encoded).toEqual(message)
    expect(ownsItsBuffer(held?.encoded as Uint8Array)).toBe(true)
    expect(ownsItsBuffer(held?.digest as Uint8Array)).toBe(true)
    expect(toHex(held?.digest as Uint8Array)).toBe('03'.repeat(32))
  })
})
