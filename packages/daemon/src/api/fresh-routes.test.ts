import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TrustService } from '../membership/trust-service.js'
import { EpochService } from '../node/epochs.js'
import { Ingest } from '../node/ingest.js'
import { InjectService } from '../node/inject.js'
import { restoreState } from '../node/restore.js'
import { topicsOf } from '../p2p/gossip/topics.js'
import { type FakeComponents, fakeComponents } from '../test-helpers/fake-components.js'
import { buildApi } from './control-server.js'
import { nodeService } from './daemon-node-service.js'
import { PublicBeacons } from './public-beacons.js'
import { buildPublicApi } from './public-server.js'

/**
 * Issue 23: a daemon started a second ago, with the clock at today's epoch number (~1.8e9
 * at 1 s epochs) and nothing stored, answered `consensus --epochs 80` after 35 s at 100 %
 * of a core: the lookup counted down from the epoch clock towards a floor of 0. Every
 * control and public route must cost what is retained, not the epoch number: each is
 * asked here right after start and must take under 100 ms of this process's CPU (CPU,
 * not wall time: a busy machine slows it, it does not make it cost more).
 */

const TOKEN = 'b2'.repeat(32)
const CPU_BUDGET_MS = 100
let f: FakeComponents
let control: FastifyInstance
let publicApi: FastifyInstance
let epochs: EpochService

beforeAll(async () => {
  f = await fakeComponents({ startMs: Date.now() })
  const c = f.components
  await restoreState(c)
  const ingest = new Ingest(c)
  epochs = new EpochService(c, { gossip: { publishVote: async () => {} } })
  await epochs.start()
  const inject = new InjectService(c, {
    topics: topicsOf(c.params.network),
    ingest,
    waitForGossipPeer: async () => {},
  })
  const trust = new TrustService(c, { epochs })
  const service = nodeService(c, {
    peers: { connect: async () => ({ peerId: c.peerId.toString(), addresses: [] }) as never },
    trust,
    inject,
  })
  control = buildApi({ token: TOKEN, service, peerId: c.peerId.toString(), events: c.events })
  publicApi = await buildPublicApi({
    beacons: new PublicBeacons({
      params: c.params,
      store: c.store,
      timelock: c.timelock,
      selfHex: c.selfHex,
      now: c.now,
    }),
    params: c.params,
    timelock: c.timelock,
    peerId: c.peerId.toString(),
  })
  await control.ready()
  await publicApi.ready()
})
afterAll(async () => {
  await epochs?.stop()
  await control?.close()
  await publicApi?.close()
  await f?.close()
})

/** Answers the request and returns its status and the CPU ms it cost this process. */
async function costOf(app: FastifyInstance, opts: InjectOptions) {
  const before = process.cpuUsage()
  const res = await app.inject(opts)
  const used = process.cpuUsage(before)
  return { status: res.statusCode, body: res.body, cpuMs: (used.user + used.system) / 1000 }
}

describe('a fresh daemon at a realistic epoch number', () => {
  it('the clock is where a real one is', () => {
    expect(f.components.state.currentEpoch(f.clock.ms)).toBeGreaterThan(1_700_000_000)
  })

  const auth = { authorization: `Bearer ${TOKEN}` }
  const someone = async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()

  it('answers every control route within the CPU budget', async () => {
    const current = f.components.state.currentEpoch(f.clock.ms)
    const peer = await someone()
    const routes: InjectOptions[] = [
      { method: 'GET', url: '/v1/healthz' },
      { method: 'GET', url: '/v1/id' },
      { method: 'GET', url: '/v1/peers' },
      { method: 'GET', url: '/v1/trust' },
      { method: 'PUT', url: `/v1/trust/${peer}`, payload: { trust: 0.5 } },
      { method: 'DELETE', url: `/v1/trust/${peer}` },
      { method: 'GET', url: '/v1/pool?bits=64' },
      { method: 'GET', url: '/v1/quality' },
      { method: 'GET', url: '/v1/tests' },
      { method: 'GET', url: '/v1/consensus?epochs=80' },
      { method: 'GET', url: '/v1/consensus?epochs=100000' },
      { method: 'GET', url: '/v1/beacon/latest' },
      { method: 'GET', url: `/v1/beacon/${current - 2}` },
      { method: 'GET', url: '/v1/beacon/0' },
      { method: 'GET', url: '/v1/status' },
      { method: 'POST', url: '/v1/random', payload: { bytes: 32, allowLowEntropy: true } },
      { method: 'POST', url: '/v1/random', payload: { bytes: 32, epoch: current - 5 } },
      { method: 'POST', url: '/v1/inject', payload: { bits: '0110'.repeat(16) } },
    ]
    for (const route of routes) {
      const { status, body, cpuMs } = await costOf(control, {
        ...route,
        headers: { ...(route.headers ?? {}), ...auth },
      })
      expect(status, `${route.method} ${route.url}: ${body}`).toBeLessThan(500)
      expect(cpuMs, `${route.method} ${route.url}`).toBeLessThan(CPU_BUDGET_MS)
    }
  })

  it('answers every public route within the CPU budget', async () => {
    const current = f.components.state.currentEpoch(f.clock.ms)
    for (const url of [
      '/public/info',
      '/public/latest',
      `/public/${current - 10}`,
      '/public/0',
      `/public/at/${f.clock.ms - 60_000}`,
    ]) {
      const { status, body, cpuMs } = await costOf(publicApi, { method: 'GET', url })
      expect(status, `${url}: ${body}`).toBeLessThan(500)
      expect(cpuMs, url).toBeLessThan(CPU_BUDGET_MS)
    }
  })
})
