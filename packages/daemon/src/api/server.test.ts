import { AlaraError, InvalidInputError } from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { NotFoundError, RateLimitedError } from '../errors.js'
import type { NodeService } from '../service.js'
import { buildApi } from './server.js'
import type {
  BeaconResponse,
  EpochConsensus,
  InjectRequest,
  InjectResponse,
  PeerInfo,
  PoolResponse,
  QualityResponse,
  StatusResponse,
  TestsResponse,
} from './types.js'

// ---- a fake node: records every call, answers canned values, throws when told to -------

type Method = keyof NodeService

class FakeService implements NodeService {
  readonly calls: Array<{ method: Method; args: unknown[] }> = []
  /** method -> error it throws (synchronously for sync methods, as a rejection otherwise) */
  readonly failures = new Map<Method, unknown>()

  constructor(private readonly peerId: string) {}

  private record(method: Method, args: unknown[]): void {
    this.calls.push({ method, args })
    if (this.failures.has(method)) throw this.failures.get(method)
  }

  id() {
    this.record('id', [])
    return {
      peerId: this.peerId,
      addresses: ['/ip4/127.0.0.1/tcp/4590'],
      network: 'default',
      version: '0.1.0',
    }
  }
  async peers(): Promise<PeerInfo[]> {
    this.record('peers', [])
    return []
  }
  async connect(ma: string) {
    this.record('connect', [ma])
    return { peerId: this.peerId, addresses: [ma] }
  }
  trustList() {
    this.record('trustList', [])
    return [{ peerId: this.peerId, trust: 0.5, active: true }]
  }
  async trustSet(peerId: string, trust: number, active: boolean) {
    this.record('trustSet', [peerId, trust, active])
    return { peerId, trust, active }
  }
  async trustRemove(peerId: string) {
    this.record('trustRemove', [peerId])
    return { peerId, removed: true }
  }
  async inject(input: InjectRequest): Promise<InjectResponse> {
    this.record('inject', [input])
    return { ids: ['ab'.repeat(32)], epoch: 7, bitLength: 4, publishedTo: 0 }
  }
  pool(bits?: number): PoolResponse {
    this.record('pool', [bits])
    return {
      network: 'default',
      bits: '0101',
      bitLength: 4,
      folded: 1,
      stored: 1,
      digest: '00'.repeat(32),
      creditBits: 3,
      ready: false,
    }
  }
  quality(): QualityResponse {
    this.record('quality', [])
    return { shannonPerBit: 1, minEntropyPerBit: 1, poolBits: 4, creditBits: 3, origins: [] }
  }
  tests(): TestsResponse {
    this.record('tests', [])
    return { bits: 4, alpha: 0.01, tests: [] }
  }
  consensus(epochs: number): EpochConsensus[] {
    this.record('consensus', [epochs])
    return []
  }
  async beacon(epoch: number | 'latest', verify: boolean): Promise<BeaconResponse> {
    this.record('beacon', [epoch, verify])
    return {
      epoch: epoch === 'latest' ? 9 : epoch,
      beacon: '11'.repeat(32),
      digest: '22'.repeat(32),
      count: 1,
      contributions: [],
      final: true,
      ...(verify ? { verified: true } : {}),
    }
  }
  async random(req: { bytes: number; epoch?: number; allowLowEntropy?: boolean }) {
    this.record('random', [req])
    return { bytes: 'ff'.repeat(req.bytes) }
  }
  status(): StatusResponse {
    this.record('status', [])
    return {
      peerId: this.peerId,
      network: 'default',
      version: '0.1.0',
      epoch: 10,
      epochMs: 10_000,
      peers: 0,
      ready: false,
      creditBits: 0,
      folded: 0,
      stored: 0,
      lastFinalEpoch: null,
      consensus: null,
    }
  }
}

// ---- fixtures -----------------------------------------------------------------------------

const TOKEN = 'a1'.repeat(32)
let peer: string
let fake: FakeService
let app: FastifyInstance

beforeAll(async () => {
  peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
})

beforeEach(async () => {
  fake = new FakeService(peer)
  app = buildApi({ token: TOKEN, service: fake })
  await app.ready()
})

afterEach(async () => {
  await app.close()
})

const auth = { authorization: `Bearer ${TOKEN}` }

function call(opts: InjectOptions & { token?: string | null }): Promise<LightMyRequestResponse> {
  const { token, ...rest } = opts
  const headers: Record<string, string> = { ...(rest.headers as Record<string, string>) }
  if (token === undefined) Object.assign(headers, auth)
  else if (token !== null) headers.authorization = token
  return app.inject({ ...rest, headers })
}

/** The documented error shape, exactly: `{ error: { code, message } }`, as JSON. */
function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status)
  expect(res.headers['content-type']).toMatch(/^application\/json/)
  const body = res.json() as { error: { code: string; message: string } }
  expect(body).toEqual({ error: { code, message: expect.any(String) } })
  expect(body.error.message.length).toBeGreaterThan(0)
}

/** Every authenticated route, with a request the schemas accept. */
const ROUTES: () => Array<{ method: InjectOptions['method']; url: string; payload?: object }> =
  () => [
    { method: 'GET', url: '/v1/id' },
    { method: 'GET', url: '/v1/peers' },
    {
      method: 'POST',
      url: '/v1/connect',
      payload: { multiaddr: `/ip4/10.0.0.1/tcp/4590/p2p/${peer}` },
    },
    { method: 'GET', url: '/v1/trust' },
    { method: 'PUT', url: `/v1/trust/${peer}`, payload: { trust: 0.5 } },
    { method: 'DELETE', url: `/v1/trust/${peer}` },
    { method: 'POST', url: '/v1/inject', payload: { bits: '0101' } },
    { method: 'GET', url: '/v1/pool' },
    { method: 'GET', url: '/v1/quality' },
    { method: 'GET', url: '/v1/tests' },
    { method: 'GET', url: '/v1/consensus' },
    { method: 'GET', url: '/v1/beacon/latest' },
    { method: 'POST', url: '/v1/random', payload: { bytes: 8 } },
    { method: 'GET', url: '/v1/status' },
  ]

// ---- authentication -----------------------------------------------------------------------

describe('control API: bearer token', () => {
  it('every route but healthz answers 401 ERR_UNAUTHORIZED without a token, and calls nothing', async () => {
    for (const route of ROUTES()) {
      const res = await call({ ...route, token: null })
      expectError(res, 401, 'ERR_UNAUTHORIZED')
    }
    expect(fake.calls).toEqual([])
  })

  it('refuses a wrong token, a token of another length and other schemes', async () => {
    const wrong = [
      `Bearer ${'b2'.repeat(32)}`, // same length, other bytes
      `Bearer ${TOKEN.slice(0, -1)}`, // a prefix
      `Bearer ${TOKEN}0`, // longer
      'Bearer ',
      `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`,
      TOKEN, // no scheme
    ]
    for (const token of wrong) {
      for (const route of ROUTES()) {
        const res = await call({ ...route, token })
        expectError(res, 401, 'ERR_UNAUTHORIZED')
      }
    }
    expect(fake.calls).toEqual([])
  })

  it('GET /v1/healthz needs no token (and a wrong one does not matter)', async () => {
    for (const token of [null, 'Bearer nope', undefined]) {
      const res = await call({ method: 'GET', url: '/v1/healthz', token })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toEqual({ ok: true })
    }
    expect(fake.calls).toEqual([])
  })

  it('with the token every route reaches the node', async () => {
    for (const route of ROUTES()) {
      const res = await call(route)
      expect(res.statusCode, `${route.method} ${route.url}: ${res.body}`).toBe(200)
      expect(res.headers['content-type']).toMatch(/^application\/json/)
    }
    expect(fake.calls.map((c) => c.method)).toEqual([
      'id',
      'peers',
      'connect',
      'trustList',
      'trustSet',
      'trustRemove',
      'inject',
      'pool',
      'quality',
      'tests',
      'consensus',
      'beacon',
      'random',
      'status',
    ])
  })
})

// ---- what the handlers hand to the node ---------------------------------------------------

describe('control API: requests reach the node as documented', () => {
  it('trust set: level and active (default true)', async () => {
    const a = await call({ method: 'PUT', url: `/v1/trust/${peer}`, payload: { trust: 0.25 } })
    expect(a.json()).toEqual({ peerId: peer, trust: 0.25, active: true })
    const b = await call({
      method: 'PUT',
      url: `/v1/trust/${peer}`,
      payload: { trust: 0, active: false },
    })
    expect(b.json()).toEqual({ peerId: peer, trust: 0, active: false })
    expect(fake.calls).toEqual([
      { method: 'trustSet', args: [peer, 0.25, true] },
      { method: 'trustSet', args: [peer, 0, false] },
    ])
  })

  it('inject: exactly one source, publish passed through', async () => {
    await call({ method: 'POST', url: '/v1/inject', payload: { bits: '0110' } })
    await call({ method: 'POST', url: '/v1/inject', payload: { hex: 'aBcD' } })
    await call({ method: 'POST', url: '/v1/inject', payload: { random: 256 } })
    await call({ method: 'POST', url: '/v1/inject', payload: { bits: '1', publish: false } })
    expect(fake.calls).toEqual([
      { method: 'inject', args: [{ bits: '0110' }] },
      { method: 'inject', args: [{ hex: 'aBcD' }] },
      { method: 'inject', args: [{ random: 256 }] },
      { method: 'inject', args: [{ bits: '1', publish: false }] },
    ])
  })

  it('pool, consensus, beacon and random: query and path values as numbers', async () => {
    await call({ method: 'GET', url: '/v1/pool?bits=16' })
    await call({ method: 'GET', url: '/v1/pool?bits=0' })
    await call({ method: 'GET', url: '/v1/consensus?epochs=3' })
    await call({ method: 'GET', url: '/v1/consensus' })
    const latest = await call({ method: 'GET', url: '/v1/beacon/latest' })
    const verified = await call({ method: 'GET', url: '/v1/beacon/42?verify=true' })
    await call({ method: 'POST', url: '/v1/random', payload: { bytes: 4, epoch: 42 } })
    await call({
      method: 'POST',
      url: '/v1/random',
      payload: { bytes: 1_048_576, allowLowEntropy: true },
    })
    await call({
      method: 'POST',
      url: '/v1/random',
      payload: { bytes: 8, epoch: 42, offset: 1_048_575 },
    })
    expect(latest.json()).toMatchObject({ epoch: 9 })
    expect(verified.json()).toMatchObject({ epoch: 42, verified: true })
    expect(fake.calls).toEqual([
      { method: 'pool', args: [16] },
      { method: 'pool', args: [0] },
      { method: 'consensus', args: [3] },
      { method: 'consensus', args: [10] },
      { method: 'beacon', args: ['latest', false] },
      { method: 'beacon', args: [42, true] },
      { method: 'random', args: [{ bytes: 4, epoch: 42 }] },
      { method: 'random', args: [{ bytes: 1_048_576, allowLowEntropy: true }] },
      { method: 'random', args: [{ bytes: 8, epoch: 42, offset: 1_048_575 }] },
    ])
  })

  it('answers with what the node returned, wrapped as docs/API.md shows', async () => {
    expect((await call({ method: 'GET', url: '/v1/peers' })).json()).toEqual({ peers: [] })
    expect((await call({ method: 'GET', url: '/v1/trust' })).json()).toEqual({
      trust: [{ peerId: peer, trust: 0.5, active: true }],
    })
    expect((await call({ method: 'GET', url: '/v1/consensus' })).json()).toEqual({ epochs: [] })
    expect((await call({ method: 'GET', url: '/v1/id' })).json()).toMatchObject({ peerId: peer })
  })
})

// ---- schema violations --------------------------------------------------------------------

describe('control API: bad requests are refused with 400 ERR_BAD_REQUEST and change nothing', () => {
  const bad = (): Array<[string, InjectOptions]> => [
    // inject: exactly one source of entropy, well formed
    [
      'inject with two sources',
      { method: 'POST', url: '/v1/inject', payload: { bits: '01', hex: 'ab' } },
    ],
    [
      'inject with three sources',
      { method: 'POST', url: '/v1/inject', payload: { bits: '01', hex: 'ab', random: 8 } },
    ],
    ['inject with no source', { method: 'POST', url: '/v1/inject', payload: {} }],
    [
      'inject with only publish',
      { method: 'POST', url: '/v1/inject', payload: { publish: false } },
    ],
    ['inject bits with a 2', { method: 'POST', url: '/v1/inject', payload: { bits: '01201' } }],
    ['inject empty bits', { method: 'POST', url: '/v1/inject', payload: { bits: '' } }],
    ['inject odd hex', { method: 'POST', url: '/v1/inject', payload: { hex: 'abc' } }],
    ['inject non-hex', { method: 'POST', url: '/v1/inject', payload: { hex: 'zz' } }],
    ['inject random 0', { method: 'POST', url: '/v1/inject', payload: { random: 0 } }],
    ['inject random 1.5', { method: 'POST', url: '/v1/inject', payload: { random: 1.5 } }],
    [
      'inject unknown field',
      { method: 'POST', url: '/v1/inject', payload: { bits: '01', note: 'x' } },
    ],
    [
      'inject publish not boolean',
      { method: 'POST', url: '/v1/inject', payload: { bits: '01', publish: 'no' } },
    ],
    ['inject without a body', { method: 'POST', url: '/v1/inject' }],
    [
      'inject with invalid JSON',
      {
        method: 'POST',
        url: '/v1/inject',
        payload: '{"bits": "01"',
        headers: { 'content-type': 'application/json' },
      },
    ],
    ['inject with a JSON array', { method: 'POST', url: '/v1/inject', payload: [{ bits: '01' }] }],
    // trust
    ['trust 1.5', { method: 'PUT', url: '/v1/trust/PEER', payload: { trust: 1.5 } }],
    ['trust -0.1', { method: 'PUT', url: '/v1/trust/PEER', payload: { trust: -0.1 } }],
    ['trust missing', { method: 'PUT', url: '/v1/trust/PEER', payload: { active: true } }],
    [
      'trust unknown field',
      { method: 'PUT', url: '/v1/trust/PEER', payload: { trust: 0.5, note: 1 } },
    ],
    [
      'trust active not boolean',
      { method: 'PUT', url: '/v1/trust/PEER', payload: { trust: 0.5, active: 'maybe' } },
    ],
    // (a malformed peer id in the path is the node's to refuse, in words: trust.ts)
    // connect
    ['connect without multiaddr', { method: 'POST', url: '/v1/connect', payload: {} }],
    ['connect empty multiaddr', { method: 'POST', url: '/v1/connect', payload: { multiaddr: '' } }],
    [
      'connect unknown field',
      { method: 'POST', url: '/v1/connect', payload: { multiaddr: '/ip4/1.2.3.4/tcp/1', x: 1 } },
    ],
    // queries
    ['pool?bits=-1', { method: 'GET', url: '/v1/pool?bits=-1' }],
    ['pool?bits=abc', { method: 'GET', url: '/v1/pool?bits=abc' }],
    ['pool?bits=1.5', { method: 'GET', url: '/v1/pool?bits=1.5' }],
    ['pool?unknown=1', { method: 'GET', url: '/v1/pool?unknown=1' }],
    ['consensus?epochs=0', { method: 'GET', url: '/v1/consensus?epochs=0' }],
    ['consensus?epochs=10001', { method: 'GET', url: '/v1/consensus?epochs=10001' }],
    ['beacon/abc', { method: 'GET', url: '/v1/beacon/abc' }],
    ['beacon/-1', { method: 'GET', url: '/v1/beacon/-1' }],
    ['beacon/1?verify=maybe', { method: 'GET', url: '/v1/beacon/1?verify=maybe' }],
    ['beacon/1?other=1', { method: 'GET', url: '/v1/beacon/1?other=1' }],
    // random
    ['random bytes 0', { method: 'POST', url: '/v1/random', payload: { bytes: 0 } }],
    ['random bytes 1048577', { method: 'POST', url: '/v1/random', payload: { bytes: 1_048_577 } }],
    [
      'random offset without epoch (private draws have none)',
      { method: 'POST', url: '/v1/random', payload: { bytes: 1, offset: 8 } },
    ],
    [
      'random offset -1',
      { method: 'POST', url: '/v1/random', payload: { bytes: 1, epoch: 1, offset: -1 } },
    ],
    ['random without bytes', { method: 'POST', url: '/v1/random', payload: {} }],
    ['random epoch -1', { method: 'POST', url: '/v1/random', payload: { bytes: 1, epoch: -1 } }],
    [
      'random unknown field',
      { method: 'POST', url: '/v1/random', payload: { bytes: 1, seed: 'x' } },
    ],
  ]

  it('the accepted forms above really are accepted (so refusals below are about the flaw)', async () => {
    const ok: InjectOptions[] = [
      { method: 'POST', url: '/v1/inject', payload: { bits: '01' } },
      { method: 'PUT', url: `/v1/trust/${peer}`, payload: { trust: 0.5 } },
      { method: 'POST', url: '/v1/connect', payload: { multiaddr: '/ip4/1.2.3.4/tcp/1' } },
      { method: 'GET', url: '/v1/pool?bits=5' },
      { method: 'GET', url: '/v1/beacon/1?verify=false' },
      { method: 'POST', url: '/v1/random', payload: { bytes: 1, epoch: 0 } },
    ]
    for (const req of ok) expect((await call(req)).statusCode, String(req.url)).toBe(200)
  })

  for (const [what, req] of bad()) {
    it(what, async () => {
      const url = (req.url as string).replace('PEER', peer)
      const res = await call({ ...req, url })
      expectError(res, 400, 'ERR_BAD_REQUEST')
      expect(fake.calls, 'the node must not be called for a refused request').toEqual([])
    })
  }

  it('values of the wrong JSON type are refused, not coerced', async () => {
    // JSON bodies carry types: `null`, `"0.5"` or `true` is not a trust level, `101` is not
    // a bit string and `true` is not a number of bits. Coercing them would turn a client's
    // mistake into a change (trust null -> 0 blocks the peer; random true -> 1 bit).
    const confused: Array<[string, InjectOptions]> = [
      ['trust null', { method: 'PUT', url: `/v1/trust/${peer}`, payload: { trust: null } }],
      ['trust "0.5"', { method: 'PUT', url: `/v1/trust/${peer}`, payload: { trust: '0.5' } }],
      ['trust true', { method: 'PUT', url: `/v1/trust/${peer}`, payload: { trust: true } }],
      [
        'trust active "false"',
        { method: 'PUT', url: `/v1/trust/${peer}`, payload: { trust: 1, active: 'false' } },
      ],
      ['inject bits 101', { method: 'POST', url: '/v1/inject', payload: { bits: 101 } }],
      ['inject random true', { method: 'POST', url: '/v1/inject', payload: { random: true } }],
      ['inject random "8"', { method: 'POST', url: '/v1/inject', payload: { random: '8' } }],
      ['random bytes "4"', { method: 'POST', url: '/v1/random', payload: { bytes: '4' } }],
      ['random bytes [4]', { method: 'POST', url: '/v1/random', payload: { bytes: [4] } }],
    ]
    const accepted: string[] = []
    for (const [what, req] of confused) {
      const res = await call(req)
      if (res.statusCode !== 400)
        accepted.push(
          `${what} -> ${res.statusCode}, node got ${JSON.stringify(fake.calls.at(-1)?.args)}`,
        )
      else expectError(res, 400, 'ERR_BAD_REQUEST')
    }
    expect(accepted, 'requests of the wrong JSON type that were accepted').toEqual([])
    expect(fake.calls).toEqual([])
  })

  it('a body above the limit is refused with the error shape, before the node sees it', async () => {
    const res = await call({
      method: 'POST',
      url: '/v1/inject',
      payload: { bits: '01'.repeat(600_000) },
    })
    expect(res.statusCode).toBe(413)
    expect(res.json()).toEqual({ error: { code: 'ERR_BAD_REQUEST', message: expect.any(String) } })
    expect(fake.calls).toEqual([])
  })

  it('a body that is not JSON is refused with the error shape', async () => {
    const res = await call({
      method: 'POST',
      url: '/v1/inject',
      payload: 'bits=0101',
      headers: { 'content-type': 'text/plain' },
    })
    expect(res.statusCode).toBeGreaterThanOrEqual(400)
    expect(res.statusCode).toBeLessThan(500)
    expect(res.json()).toEqual({ error: { code: 'ERR_BAD_REQUEST', message: expect.any(String) } })
    expect(fake.calls).toEqual([])
  })
})

// ---- unknown routes -----------------------------------------------------------------------

describe('control API: unknown routes', () => {
  it('answer 404 ERR_NOT_FOUND as JSON', async () => {
    const unknown: InjectOptions[] = [
      { method: 'GET', url: '/v1/nope' },
      { method: 'GET', url: '/' },
      { method: 'GET', url: '/v2/id' },
      { method: 'GET', url: '/v1/trust/a/b' },
      { method: 'POST', url: '/v1/status', payload: {} },
      { method: 'DELETE', url: '/v1/pool' },
    ]
    for (const req of unknown) {
      const res = await call(req)
      expectError(res, 404, 'ERR_NOT_FOUND')
      expect(res.json().error.message).toContain(req.url as string)
    }
    expect(fake.calls).toEqual([])
  })
})

// ---- errors from the node ------------------------------------------------------------------

describe('control API: errors thrown by the node', () => {
  const cases: Array<[string, unknown, number, string]> = [
    ['ERR_NOT_FOUND', new NotFoundError('no such peer'), 404, 'ERR_NOT_FOUND'],
    ['ERR_RATE_LIMITED', new RateLimitedError('too many this epoch'), 409, 'ERR_RATE_LIMITED'],
    [
      'ERR_EPOCH_FINAL',
      new AlaraError('ERR_EPOCH_FINAL', 'epoch 3 is final'),
      409,
      'ERR_EPOCH_FINAL',
    ],
    ['ERR_NOT_READY', new AlaraError('ERR_NOT_READY', 'not enough entropy'), 503, 'ERR_NOT_READY'],
    ['ERR_NO_PEERS', new AlaraError('ERR_NO_PEERS', 'no peers'), 503, 'ERR_NO_PEERS'],
    [
      'ERR_INVALID_INPUT',
      new InvalidInputError('bits fail the health tests'),
      400,
      'ERR_INVALID_INPUT',
    ],
    [
      'ERR_BAD_REQUEST',
      new AlaraError('ERR_BAD_REQUEST', 'give one source'),
      400,
      'ERR_BAD_REQUEST',
    ],
    ['an unknown AlaraError code', new AlaraError('ERR_WHATEVER', 'odd'), 500, 'ERR_WHATEVER'],
    ['an unexpected Error', new Error('boom'), 500, 'ERR_INTERNAL'],
    ['an unexpected TypeError', new TypeError('x is undefined'), 500, 'ERR_INTERNAL'],
  ]

  for (const [what, error, status, code] of cases) {
    it(`${what} -> ${status} ${code}, from an async and from a sync method`, async () => {
      fake.failures.set('inject', error)
      const a = await call({ method: 'POST', url: '/v1/inject', payload: { bits: '01' } })
      expectError(a, status, code)
      if (error instanceof AlaraError) expect(a.json().error.message).toBe(error.message)

      fake.failures.set('pool', error)
      const b = await call({ method: 'GET', url: '/v1/pool' })
      expectError(b, status, code)
    })
  }

  it('trust rm of a peer not in the store -> 404 ERR_NOT_FOUND', async () => {
    fake.failures.set('trustRemove', new NotFoundError(`${peer} is not in the trust store`))
    const res = await call({ method: 'DELETE', url: `/v1/trust/${peer}` })
    expectError(res, 404, 'ERR_NOT_FOUND')
    expect(res.json().error.message).toContain(peer)
  })

  it('random before ready -> 503 ERR_NOT_READY', async () => {
    fake.failures.set('random', new AlaraError('ERR_NOT_READY', 'credited entropy is 12 bits'))
    expectError(
      await call({ method: 'POST', url: '/v1/random', payload: { bytes: 8 } }),
      503,
      'ERR_NOT_READY',
    )
  })

  it('a failed request leaves the server serving', async () => {
    fake.failures.set('status', new Error('boom'))
    expectError(await call({ method: 'GET', url: '/v1/status' }), 500, 'ERR_INTERNAL')
    fake.failures.clear()
    expect((await call({ method: 'GET', url: '/v1/status' })).statusCode).toBe(200)
  })
})
