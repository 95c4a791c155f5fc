import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeNodeService } from '../test-helpers/fake-node-service.js'
import { buildApi } from './server.js'

const app = buildApi({ token: 'd4'.repeat(32), service: new FakeNodeService('12D3KooWfake') })
beforeAll(() => app.ready())
afterAll(() => app.close())

describe('dashboard files under /ui/', () => {
  it('serves the page without a token, with a CSP that allows nothing from elsewhere', async () => {
    const res = await app.inject({ method: 'GET', url: '/ui/' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(res.body).toContain('<script src="app.js" defer></script>')
    expect(res.body).not.toMatch(/https?:\/\//)
    expect(res.headers['content-security-policy']).toContain("default-src 'none'")
    expect(res.headers['content-security-policy']).toContain("connect-src 'self'")
    for (const file of [
      'app.js',
      'style.css',
      'vendor/uplot/uPlot.iife.min.js',
      'vendor/uplot/uPlot.min.css',
    ])
      expect((await app.inject({ method: 'GET', url: `/ui/${file}` })).statusCode, file).toBe(200)
  })

  it('redirects /ui to /ui/ and serves nothing else of the uPlot package or outside ui/', async () => {
    const bare = await app.inject({ method: 'GET', url: '/ui' })
    expect(bare.statusCode).toBe(302)
    expect(bare.headers.location).toBe('/ui/')
    expect(
      (await app.inject({ method: 'GET', url: '/ui/vendor/uplot/uPlot.cjs.js' })).statusCode,
    ).not.toBe(200)
    expect(
      (await app.inject({ method: 'GET', url: '/ui/vendor/uplot/../../../package.json' }))
        .statusCode,
    ).not.toBe(200)
    expect(
      (await app.inject({ method: 'GET', url: '/ui/%2e%2e/package.json' })).statusCode,
    ).not.toBe(200)
  })

  it('keeps the token on the API: /v1 routes still need it', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/id' })).statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/uix/v1/id' })).statusCode).toBe(401)
  })
})
