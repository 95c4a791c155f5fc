import { AlaraError, InvalidInputError } from '@alara/protocol'
import type { InjectOptions } from 'fastify'
import { describe, expect, it } from 'vitest'
import { DialFailedError, NotFoundError, RateLimitedError } from '../errors.js'
import { expectError, useApiFixture } from '../test-helpers/api-fixture.js'

/** Errors as the API answers them: unknown routes, and every error the node throws. */

// ---- fixtures -----------------------------------------------------------------------------

const api = useApiFixture()
const { call } = api

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
    expect(api.fake.calls).toEqual([])
  })
})

// ---- errors from the node ------------------------------------------------------------------

describe('control API: errors thrown by the node', () => {
  const cases: Array<[string, unknown, number, string]> = [
    ['ERR_NOT_FOUND', new NotFoundError('no such peer'), 404, 'ERR_NOT_FOUND'],
    ['ERR_RATE_LIMITED', new RateLimitedError('too many this epoch'), 429, 'ERR_RATE_LIMITED'],
    ['ERR_NOT_READY', new AlaraError('ERR_NOT_READY', 'not enough entropy'), 503, 'ERR_NOT_READY'],
    ['ERR_DIAL_FAILED', new DialFailedError('could not connect'), 502, 'ERR_DIAL_FAILED'],
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
      api.fake.failures.set('inject', error)
      const a = await call({ method: 'POST', url: '/v1/inject', payload: { bits: '01' } })
      expectError(a, status, code)
      if (error instanceof AlaraError) expect(a.json().error.message).toBe(error.message)

      api.fake.failures.set('pool', error)
      const b = await call({ method: 'GET', url: '/v1/pool' })
      expectError(b, status, code)
    })
  }

  it('trust rm of a peer not in the store -> 404 ERR_NOT_FOUND', async () => {
    api.fake.failures.set('trustRemove', new NotFoundError(`${api.peer} is not in the trust store`))
    const res = await call({ method: 'DELETE', url: `/v1/trust/${api.peer}` })
    expectError(res, 404, 'ERR_NOT_FOUND')
    expect(res.json().error.message).toContain(api.peer)
  })

  it('inject over the epoch quota -> 429 with Retry-After in whole seconds', async () => {
    api.fake.failures.set('inject', new RateLimitedError('0 are left', 2300))
    const res = await call({ method: 'POST', url: '/v1/inject', payload: { bits: '01' } })
    expectError(res, 429, 'ERR_RATE_LIMITED')
    expect(res.headers['retry-after']).toBe('3')
    api.fake.failures.set('inject', new RateLimitedError('0 are left', 10))
    const soon = await call({ method: 'POST', url: '/v1/inject', payload: { bits: '01' } })
    expect(soon.headers['retry-after']).toBe('1')
  })

  it('random before ready -> 503 ERR_NOT_READY', async () => {
    api.fake.failures.set('random', new AlaraError('ERR_NOT_READY', 'credited entropy is 12 bits'))
    expectError(
      await call({ method: 'POST', url: '/v1/random', payload: { bytes: 8 } }),
      503,
      'ERR_NOT_READY',
    )
  })

  it('a failed request leaves the server serving', async () => {
    api.fake.failures.set('status', new Error('boom'))
    expectError(await call({ method: 'GET', url: '/v1/status' }), 500, 'ERR_INTERNAL')
    api.fake.failures.clear()
    expect((await call({ method: 'GET', url: '/v1/status' })).statusCode).toBe(200)
  })
})
