import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { healthProof } from '@alara/daemon/health'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ApiClient, locateDaemon, normalizeApiUrl, resolveHome } from './client.js'
import { CliError } from './errors.js'

const TOKEN = 'a'.repeat(64)

interface Seen {
  method: string
  url: string
  authorization: string | undefined
  body: string
}

/** The daemon's API as far as the client cares: token check, JSON bodies, JSON errors. */
async function fakeApi(
  handler: (req: Seen) => { status: number; body: string } = () => ({
    status: 200,
    body: '{"ok":true}',
  }),
): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = []
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = ''
    for await (const chunk of req) body += String(chunk)
    const request = {
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      body,
    }
    seen.push(request)
    const challenge = /^\/v1\/healthz\?challenge=([0-9a-f]+)$/.exec(request.url)?.[1]
    const health = { ok: true, peerId: 'test-peer', pid: process.pid }
    const reply =
      challenge !== undefined
        ? {
            status: 200,
            body: JSON.stringify({
              ...health,
              proof: healthProof(TOKEN, challenge, health.peerId, health.pid),
            }),
          }
        : request.authorization === `Bearer ${TOKEN}`
          ? handler(request)
          : {
              status: 401,
              body: JSON.stringify({
                error: { code: 'ERR_UNAUTHORIZED', message: 'missing or wrong API token' },
              }),
            }
    res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, url: `http://127.0.0.1:${port}`, seen }
}

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()))

async function rejection(promise: Promise<unknown>): Promise<CliError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(CliError)
  return err as CliError
}

let home: string
let servers: Server[] = []

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'alara-cli-client-'))
})

afterEach(async () => {
  await Promise.all(servers.map(close))
  servers = []
  await rm(home, { recursive: true, force: true })
})

async function repoFor(url: string, token: string | null = TOKEN): Promise<void> {
  await writeFile(join(home, 'api'), `${url}\n`)
  await writeFile(join(home, 'repo.lock'), `${process.pid}\n`)
  if (token !== null) await writeFile(join(home, 'api.token'), `${token}\n`)
}

describe('finding the daemon', () => {
  it('resolves HOME from the flag, then ALARA_HOME, then ~/.alara', () => {
    expect(resolveHome('/x/y', { ALARA_HOME: '/z' })).toBe('/x/y')
    expect(resolveHome(undefined, { ALARA_HOME: '/z' })).toBe('/z')
    expect(resolveHome(undefined, {})).toMatch(/\.alara$/)
  })

  it('normalises API URLs', () => {
    expect(normalizeApiUrl('http://127.0.0.1:5890/')).toBe('http://127.0.0.1:5890')
    expect(normalizeApiUrl('127.0.0.1:5890')).toBe('http://127.0.0.1:5890')
    expect(normalizeApiUrl('ftp://x')).toBeUndefined()
    expect(normalizeApiUrl('http://')).toBeUndefined()
  })

  it('says how to start a daemon when HOME/api is missing', async () => {
    const err = await rejection(locateDaemon({ home }))
    expect(err.code).toBe('ERR_NO_DAEMON')
    expect(err.message).toBe(
      `no ALARA daemon is running for ${home} (start one with: alara daemon --home ${home})`,
    )
  })

  it('prefers --api over HOME/api and still reads the token', async () => {
    await repoFor('http://127.0.0.1:1')
    const endpoint = await locateDaemon({ home, api: '127.0.0.1:2' })
    expect(endpoint).toEqual({ home, baseUrl: 'http://127.0.0.1:2', token: TOKEN, explicit: true })
  })

  it('rejects an api file that holds no URL', async () => {
    await writeFile(join(home, 'api'), 'garbage here\n')
    expect((await rejection(locateDaemon({ home }))).code).toBe('ERR_BAD_API_FILE')
  })
})

describe('requests', () => {
  it('sends the bearer token, the query and the JSON body', async () => {
    const api = await fakeApi((r) => ({ status: 200, body: JSON.stringify({ echo: r.url }) }))
    servers.push(api.server)
    await repoFor(api.url)
    const client = await ApiClient.connect({ home })
    expect(await client.get('/v1/pool', { bits: 16, skip: undefined })).toEqual({
      echo: '/v1/pool?bits=16',
    })
    await client.post('/v1/inject', { bits: '0101' })
    expect(api.seen[0]?.authorization).toBeUndefined() // the health check goes first, no token
    expect(api.seen[2]).toMatchObject({
      method: 'POST',
      url: '/v1/inject',
      authorization: `Bearer ${TOKEN}`,
      body: '{"bits":"0101"}',
    })
  })

  it('maps { error: { code, message } } to a CliError with that code', async () => {
    const api = await fakeApi()
    servers.push(api.server)
    await repoFor(api.url, 'b'.repeat(64))
    const err = await rejection(new ApiClient(await locateDaemon({ home })).get('/v1/id'))
    expect(err.code).toBe('ERR_UNAUTHORIZED')
    expect(err.status).toBe(401)
    expect(err.message).toBe('missing or wrong API token')
  })

  it('says where the token should be when there is none', async () => {
    const api = await fakeApi()
    servers.push(api.server)
    await repoFor(api.url, null)
    const err = await rejection((await ApiClient.connect({ home })).get('/v1/id'))
    expect(err.code).toBe('ERR_UNAUTHORIZED')
    expect(err.message).toContain(join(home, 'api.token'))
  })

  it('keeps the code of other API errors', async () => {
    const api = await fakeApi(() => ({
      status: 503,
      body: JSON.stringify({ error: { code: 'ERR_NOT_READY', message: 'only 12 credited bits' } }),
    }))
    servers.push(api.server)
    await repoFor(api.url)
    const err = await rejection(
      (await ApiClient.connect({ home })).post('/v1/random', { bytes: 32 }),
    )
    expect([err.code, err.status, err.message]).toEqual([
      'ERR_NOT_READY',
      503,
      'only 12 credited bits',
    ])
  })

  it('reports an error body that is not the API shape', async () => {
    const api = await fakeApi(() => ({ status: 502, body: 'Bad Gateway' }))
    servers.push(api.server)
    await repoFor(api.url)
    const err = await rejection((await ApiClient.connect({ home })).get('/v1/id'))
    expect(err.code).toBe('ERR_HTTP_502')
    expect(err.message).toContain('Bad Gateway')
  })

  it('turns a refused connection into "no daemon is running for HOME"', async () => {
    const api = await fakeApi()
    await close(api.server) // a stale api file: the daemon crashed
    await repoFor(api.url)
    const err = await rejection(ApiClient.connect({ home }))
    expect(err.code).toBe('ERR_NO_DAEMON')
    expect(err.message).toContain(`no ALARA daemon is running at ${home} (stale api file`)
  })

  it('never sends the token to a process that cannot prove it holds it', async () => {
    const api = await fakeApi()
    servers.push(api.server)
    await repoFor(api.url, 'c'.repeat(64)) // the process there knows another token
    const err = await rejection(ApiClient.connect({ home }))
    expect(err.code).toBe('ERR_NO_DAEMON')
    expect(err.message).toBe(
      `no ALARA daemon is running at ${home} (stale api file ${join(home, 'api')}: ${api.url} cannot prove it holds the repo's token); start one with: alara daemon --home ${home}`,
    )
    expect(api.seen.map((r) => r.authorization)).toEqual([undefined])
    // with --api too, and it names the URL
    const explicit = await rejection(ApiClient.connect({ home, api: api.url }))
    expect(explicit.message).toContain(`the API at ${api.url} is not the ALARA daemon of ${home}`)
    expect(api.seen.every((r) => r.authorization === undefined)).toBe(true)
  })

  it('refuses a stale api file whose lock names a dead pid, without a request', async () => {
    const api = await fakeApi()
    servers.push(api.server)
    await repoFor(api.url)
    await writeFile(join(home, 'repo.lock'), '999999999\n')
    const err = await rejection(ApiClient.connect({ home }))
    expect(err.message).toContain('the daemon with pid 999999999 is not running')
    expect(api.seen).toEqual([])
  })

  it('names the URL when --api pointed at nothing', async () => {
    const api = await fakeApi()
    await close(api.server)
    const err = await rejection((await ApiClient.connect({ home, api: api.url })).get('/v1/id'))
    expect(err.code).toBe('ERR_NO_DAEMON')
    expect(err.message).toContain(api.url)
  })

  it('gives up after the timeout', async () => {
    const server = createServer(() => {}) // never answers
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    server.closeAllConnections()
    const client = new ApiClient(
      { home, baseUrl: `http://127.0.0.1:${port}`, token: TOKEN, explicit: true },
      { timeoutMs: 200 },
    )
    const err = await rejection(client.get('/v1/id'))
    expect(err.code).toBe('ERR_TIMEOUT')
    server.closeAllConnections()
  })
})
