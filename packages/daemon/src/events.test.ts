import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AlaraEventBus } from './events.js'
import { Ingest } from './node/ingest.js'
import { InjectService } from './node/inject.js'
import { topicsOf } from './p2p/gossip/topics.js'
import { PeerService } from './p2p/peer-service.js'
import {
  type FakeComponents,
  fakeComponents,
  fakePeer,
  signedVote,
} from './test-helpers/fake-components.js'

let f: FakeComponents
beforeEach(async () => {
  f = await fakeComponents()
})
afterEach(() => f.close())

describe('the event bus', () => {
  it('on() returns its removal; emitLazy builds the detail only when someone listens', () => {
    const bus = new AlaraEventBus()
    let built = 0
    const detail = () => {
      built++
      return { epoch: 3 }
    }
    bus.emitLazy('digest:changed', detail)
    expect(built).toBe(0)
    const heard: number[] = []
    const off = bus.on('digest:changed', (d) => heard.push(d.epoch))
    bus.emitLazy('digest:changed', detail)
    off()
    bus.emit('digest:changed', { epoch: 4 })
    expect({ built, heard }).toEqual({ built: 1, heard: [3] })
  })
})

describe('events fired by the services', () => {
  it('inject:done and contribution:folded (via inject) after an inject', async () => {
    const topics = topicsOf(f.components.params.network)
    const inject = new InjectService(f.components, {
      topics,
      ingest: new Ingest(f.components),
      waitForGossipPeer: async () => {},
    })
    const res = await inject.inject({ random: 512 })
    expect(f.eventsOf('inject:done')).toEqual([
      { ids: res.ids, epoch: res.epoch, ms: expect.any(Number), publishedMs: expect.any(Number) },
    ])
    expect(f.eventsOf('contribution:folded').map((e) => [e.idHex, e.via])).toEqual(
      res.ids.map((id) => [id, 'inject']),
    )
    expect(f.published.map((p) => p.topic)).toEqual(res.ids.map(() => topics.contributions))
  })

  it('peer:connected and peer:disconnected from libp2p connection events', async () => {
    const peers = new PeerService(f.components, { topics: topicsOf('x') })
    peers.start()
    const other = await fakePeer()
    f.libp2pEvents.dispatchEvent(new CustomEvent('peer:connect', { detail: other.peerId }))
    // announced once libp2p's dispatch is over (after the membership service saw it)
    expect(f.eventsOf('peer:connected')).toEqual([])
    await Promise.resolve()
    f.libp2pEvents.dispatchEvent(new CustomEvent('peer:disconnect', { detail: other.peerId }))
    peers.stop()
    // stopped: nothing more is heard
    f.libp2pEvents.dispatchEvent(new CustomEvent('peer:connect', { detail: other.peerId }))
    await Promise.resolve()
    const peerId = other.peerId.toString()
    expect(f.eventsOf('peer:connected')).toEqual([{ peerId }])
    expect(f.eventsOf('peer:disconnected')).toEqual([{ peerId }])
  })

  it('consensus:changed when a vote moves a closed epoch', async () => {
    const { state } = f.components
    const ingest = new Ingest(f.components)
    const r = state.currentEpoch(f.clock.ms) - 1
    state.closed.add(r)
    const other = await fakePeer()
    ingest.vote(await signedVote(other.key, f.components, r, new Uint8Array(32).fill(5)), {
      via: 'gossip',
    })
    const changed = f.eventsOf('consensus:changed')
    expect(changed).toHaveLength(1)
    expect(changed[0]).toMatchObject({ epoch: r, status: expect.any(String) })
  })
})
