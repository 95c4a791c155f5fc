import type { InjectOptions } from 'fastify'
import { describe, expect, it } from 'vitest'
import { expectError, TEST_TOKEN, useApiFixture } from '../test-helpers/api-fixture.js'
import { healthProof } from './health.js'

// ---- fixtures -----------------------------------------------------------------------------

const api = useApiFixture()
const { call } = api

/** Every authenticated route, with a request the schemas accept. */
const ROUTES: () => Array<{ method: InjectOptions['method']; url: string; payload?: object }> =
  () => [
    { method: 'GET', url: '/v1/id' },
    { method: 'GET', url: '/v1/peers' },
    {
      method: 'POST',
      url: '/v1/connect',
      payload: { multiaddr: `/ip4/10.0.0.1/tcp/4590/p2p/${api.peer}` },
    },
    { method: 'GET', url: '/v1/trust' },
    { method: 'PUT', url: `/v1/trust/${api.peer}`, payload: { trust: 0.5 } },
    { method: 'DELETE', url: `/v1/trust/${api.peer}` },
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
    expect(api.fake.calls).toEqual([])
  })

  it('refuses a wrong token, a token of another length and other schemes', async () => {
    const wrong = [
      `Bearer ${'b2'.repeat(32)}`, // same length, other bytes
      `Bearer ${TEST_TOKEN.slice(0, -1)}`, // a prefix
      `Bearer ${TEST_TOKEN}0`, // longer
      'Bearer ',
      `Basic ${Buffer.from(`user:${TEST_TOKEN}`).toString('base64')}`,
      TEST_TOKEN, // no scheme
    ]
    for (const token of wrong) {
      for (const route of ROUTES()) {
        const res = await call({ ...route, token })
        expectError(res, 401, 'ERR_UNAUTHORIZED')
      }
    }
    expect(api.fake.calls).toEqual([])
  })

  it('GET /v1/healthz needs no token (and a wrong one does not matter)', async () => {
    for (const token of [null, 'Bearer nope', undefined]) {
      const res = await call({ method: 'GET', url: '/v1/healthz', token })
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({ ok: true, pid: process.pid })
      expect(res.json().proof).toBeUndefined()
    }
    expect(api.fake.calls).toEqual([])
  })

  it('GET /v1/healthz?challenge= answers with a proof of the token, and checks the challenge', async () => {
    const challenge = 'ab'.repeat(32)
    const res = await call({
      method: 'GET',
      url: `/v1/healthz?challenge=${challenge}`,
      token: null,
    })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.proof).toBe(healthProof(TEST_TOKEN, challenge, body.peerId ?? '', process.pid))
    expect(body.proof).not.toBe(
      healthProof('x'.repeat(64), challenge, body.peerId ?? '', process.pid),
    )
    const bad = await call({ method: 'GET', url: '/v1/healthz?challenge=zz', token: null })
    expectError(bad, 400, 'ERR_BAD_REQUEST')
  })

  it('with the token every route reaches the node', async () => {
    for (const route of ROUTES()) {
      const res = await call(route)
      expect(res.statusCode, `${route.method} ${route.url}: ${res.body}`).toBe(200)
      expect(res.headers['content-type']).toMatch(/^application\/json/)
    }
    expect(api.fake.calls.map((c) => c.method)).toEqual([
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
    const a = await call({ method: 'PUT', url: `/v1/trust/${api.peer}`, payload: { trust: 0.25 } })
    expect(a.json()).toEqual({ peerId: api.peer, trust: 0.25, active: true, source: 'manual' })
    const b = await call({
      method: 'PUT',
      url: `/v1/trust/${api.peer}`,
      payload: { trust: 0, active: false },
    })
    expect(b.json()).toEqual({ peerId: api.peer, trust: 0, active: false, source: 'manual' })
    expect(api.fake.calls).toEqual([
      { method: 'trustSet', args: [api.peer, 0.25, true] },
      { method: 'trustSet', args: [api.peer, 0, false] },
    ])
  })

  it('inject: exactly one source, publish passed through', async () => {
    await call({ method: 'POST', url: '/v1/inject', payload: { bits: '0110' } })
    await call({ method: 'POST', url: '/v1/inject', payload: { hex: 'aBcD' } })
    await call({ method: 'POST', url: '/v1/inject', payload: { random: 256 } })
    await call({ method: 'POST', url: '/v1/inject', payload: { bits: '1', publish: false } })
    expect(api.fake.calls).toEqual([
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
    expect(api.fake.calls).toEqual([
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
      trust: [{ peerId: api.peer, trust: 0.5, active: true, source: 'manual' }],
    })
    expect((await call({ method: 'GET', url: '/v1/consensus' })).json()).toEqual({ epochs: [] })
    expect((await call({ method: 'GET', url: '/v1/id' })).json()).toMatchObject({
      peerId: api.peer,
    })
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
    // (a malformed peer id in the path is the node's to refuse, in words: membership/trust-book.ts)
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
      { method: 'PUT', url: `/v1/trust/${api.peer}`, payload: { trust: 0.5 } },
      { method: 'POST', url: '/v1/connect', payload: { multiaddr: '/ip4/1.2.3.4/tcp/1' } },
      { method: 'GET', url: '/v1/pool?bits=5' },
      { method: 'GET', url: '/v1/beacon/1?verify=false' },
      { method: 'POST', url: '/v1/random', payload: { bytes: 1, epoch: 0 } },
    ]
    for (const req of ok) expect((await call(req)).statusCode, String(req.url)).toBe(200)
  })

  for (const [what, req] of bad()) {
    it(what, async () => {
      const url = (req.url as string).replace('PEER', api.peer)
      const res = await call({ ...req, url })
      expectError(res, 400, 'ERR_BAD_REQUEST')
      expect(api.fake.calls, 'the node must not be called for a refused request').toEqual([])
    })
  }

  it('values of the wrong JSON type are refused, not coerced', async () => {
    // JSON bodies carry types: `null`, `"0.5"` or `true` is not a trust level, `101` is not
    // a bit string and `true` is not a number of bits. Coercing them would turn a client's
    // mistake into a change (trust null -> 0 blocks the peer; random true -> 1 bit).
    const confused: Array<[string, InjectOptions]> = [
      ['trust null', { method: 'PUT', url: `/v1/trust/${api.peer}`, payload: { trust: null } }],
      ['trust "0.5"', { method: 'PUT', url: `/v1/trust/${api.peer}`, payload: { trust: '0.5' } }],
      ['trust true', { method: 'PUT', url: `/v1/trust/${api.peer}`, payload: { trust: true } }],
      [
        'trust active "false"',
        { method: 'PUT', url: `/v1/trust/${api.peer}`, payload: { trust: 1, active: 'false' } },
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
          `${what} -> ${res.statusCode}, node got ${JSON.stringify(api.fake.calls.at(-1)?.args)}`,
        )
      else expectError(res, 400, 'ERR_BAD_REQUEST')
    }
    expect(accepted, 'requests of the wrong JSON type that were accepted').toEqual([])
    expect(api.fake.calls).toEqual([])
  })

  it('a body above the limit is refused with the error shape, before the node sees it', async () => {
    const res = await call({
      method: 'POST',
      url: '/v1/inject',
      payload: { bits: '01'.repeat(600_000) },
    })
    expect(res.statusCode).toBe(413)
    expect(res.json()).toEqual({ error: { code: 'ERR_BAD_REQUEST', message: expect.any(String) } })
    expect(api.fake.calls).toEqual([])
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
    expect(api.fake.calls).toEqual([])
  })
})
