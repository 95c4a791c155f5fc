import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpFetch } from './http-fetch.js'

let server: Server
let base: string
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/slow') return // never answers
    let body = ''
    req.on('data', (c) => {
      body += c
    })
    req.on('end', () => {
      res.statusCode = req.url === '/missing' ? 404 : 200
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, body }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  server.closeAllConnections()
  server.close()
})

describe('httpFetch', () => {
  it('answers as fetch does: status, ok, text and json, headers and body sent', async () => {
    const res = await httpFetch(`${base}/x`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{"a":1}',
    })
    expect(res).toMatchObject({ ok: true, status: 200 })
    expect(await res.json()).toEqual({ method: 'POST', auth: 'Bearer t', body: '{"a":1}' })
    const missing = await httpFetch(`${base}/missing`)
    expect(missing).toMatchObject({ ok: false, status: 404 })
    expect(JSON.parse(await missing.text())).toMatchObject({ method: 'GET' })
  })

  it('fails as fetch does: a refused connection carries its code, a timeout is a TimeoutError', async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise((r) => closed.close(r))
    await expect(httpFetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    })
    await expect(
      httpFetch(`${base}/slow`, { signal: AbortSignal.timeout(100) }),
    ).rejects.toMatchObject({
      name: 'TimeoutError',
    })
  })
})
