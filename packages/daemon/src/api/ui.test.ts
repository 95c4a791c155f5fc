import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FakeNodeService } from '../test-helpers/fake-node-service.js'
import { buildApi } from './control-server.js'
import { contentSecurityPolicy, publicApiOrigin } from './ui.js'

const app = buildApi({ token: 'd4'.repeat(32), service: new FakeNodeService('12D3KooWfake') })
beforeAll(() => app.ready())
afterAll(() => app.close())

describe('dashboard files under /ui/', () => {
  it('serves the page without a token, with a CSP that allows nothing from elsewhere', async () => {
    const res = await app.inject({ method: 'GET', url: '/ui/' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(res.body).toContain('<script src="app.js" type="module"></script>')
    expect(res.body).not.toMatch(/https?:\/\//)
    expect(res.headers['content-security-policy']).toContain("default-src 'none'")
    expect(res.headers['content-security-policy']).toContain("connect-src 'self'")
    for (const file of [
      'app.js',
      'beacon.js',
      'dom.js',
      'vendor/client/alara-client.js',
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
      (await app.inject({ method: 'GET', url: '/ui/vendor/client/meta.json' })).statusCode,
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

describe('the beacon panel', () => {
  it('gets the browser bundle of @alara/client, an ES module with no Node built-in', async () => {
    const res = await app.inject({ method: 'GET', url: '/ui/vendor/client/alara-client.js' })
    expect(res.headers['content-type']).toMatch(/javascript/)
    expect(res.body).toMatch(/export\s*\{[^}]*createClient/)
    expect(res.body).not.toMatch(/["']node:|require\(/)
  })

  it("lets the page connect to this node's public beacon API, and nowhere else", async () => {
    const withPublic = buildApi({
      token: 'd4'.repeat(32),
      service: new FakeNodeService('12D3KooWfake'),
      idExtras: { publicApiUrl: 'http://0.0.0.0:5891' },
    })
    try {
      const res = await withPublic.inject({
        method: 'GET',
        url: '/ui/',
        headers: { host: 'node.example:5890' },
      })
      expect(res.headers['content-security-policy']).toContain(
        "connect-src 'self' http://node.example:5891;",
      )
    } finally {
      await withPublic.close()
    }
  })

  it('reaches a public API bound to every interface at the host the page came from', () => {
    expect(publicApiOrigin('http://127.0.0.1:5891', 'localhost')).toBe('http://127.0.0.1:5891')
    expect(publicApiOrigin('http://0.0.0.0:5891', 'node.example')).toBe('http://node.example:5891')
    expect(publicApiOrigin('http://[::]:5891', '[::1]')).toBe('http://[::1]:5891')
    expect(publicApiOrigin('http://[::]:5891', '10.0.0.7')).toBe('http://10.0.0.7:5891')
    expect(publicApiOrigin('ftp://x:1', 'h')).toBeUndefined()
    expect(publicApiOrigin('not a url', 'h')).toBeUndefined()
  })

  it('keeps every other directive strict', () => {
    expect(contentSecurityPolicy(undefined)).toContain("connect-src 'self';")
    const csp = contentSecurityPolicy('http://127.0.0.1:5891')
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:5891;")
    for (const directive of ["default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"])
      expect(csp).toContain(directive)
  })
})
