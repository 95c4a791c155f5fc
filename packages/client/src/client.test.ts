import { beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, info, makeEpoch } from './beacon.fixture.js'
import { createClient } from './client.js'

type Route = (path: string, signal: AbortSignal | undefined) => Promise<Response> | Response

/** A fetch answering per origin, recording what was asked. */
function fakeFetch(origins: Record<string, Route>): {
  fetch: typeof globalThis.fetch
  asked: string[]
} {
  const asked: string[] = []
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input))
    asked.push(`${url.origin}${url.pathname}`)
    const route = origins[url.origin]
    if (route === undefined) throw new TypeError('fetch failed: ECONNREFUSED')
    return route(url.pathname, init?.signal ?? undefined)
  }) as typeof globalThis.fetch
  return { fetch, asked }
}

const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

function node(fx: Fixture, overrides: Partial<Record<string, () => Response>> = {}): Route {
  return (path) => {
    const custom = overrides[path]
    if (custom !== undefined) return custom()
    if (path === '/public/info') return info(fx.network).then(json)
    if (
      path === `/public/${fx.epoch}` ||
      path === '/public/latest' ||
      path.startsWith('/public/at/')
    )
      return json(fx.answer)
    return json({ error: { code: 'ERR_NOT_FOUND', message: 'not final' } }, 404)
  }
}

/** Answers only once `signal` aborts: a source that hangs. */
const hang: Route = (_path, signal) =>
  new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason)))

let fx: Fixture
beforeAll(async () => {
  fx = await makeEpoch('lab', 42, 2)
})

describe('createClient', () => {
  it('returns a verified beacon from the first source', async () => {
    const { fetch, asked } = fakeFetch({ 'http://a': node(fx) })
    const client = createClient({ urls: ['http://a/'], fetch })
    const b = await client.get(42)
    expect(b).toMatchObject({
      epoch: 42,
      beacon: fx.answer.beacon,
      status: 'revealed',
      poolBeacon: fx.answer.poolBeacon,
      network: 'lab',
    })
    expect(asked).toEqual(['http://a/public/info', 'http://a/public/42'])
    expect((await client.latest()).epoch).toBe(42)
    // at(): the epoch covering the time, checked against the answer's epoch
    expect((await client.at(42_500)).epoch).toBe(42)
    await expect(client.at(43_000)).rejects.toThrow(/asked for epoch 43, got epoch 42/)
  })

  it('falls back to the next source on a 500, a timeout, a refused connection, a forgery', async () => {
    const forged = { ...fx.answer, beacon: 'f'.repeat(64) }
    const { fetch, asked } = fakeFetch({
      'http://a': node(fx, { '/public/42': () => json({ error: { message: 'boom' } }, 500) }),
      'http://b': hang,
      'http://d': node(fx, { '/public/42': () => json(forged) }),
      'http://e': node(fx),
    })
    const client = createClient({
      urls: ['http://a', 'http://b', 'http://c', 'http://d', 'http://e'],
      fetch,
      timeoutMs: 100,
      network: 'lab',
    })
    expect(await client.get(42)).toMatchObject({ beacon: fx.answer.beacon, source: 'http://e' })
    expect(asked.filter((u) => u.endsWith('/public/42'))).toEqual([
      'http://a/public/42',
      'http://b/public/42',
      'http://c/public/42',
      'http://d/public/42',
      'http://e/public/42',
    ])
  })

  it('passes over a source whose Ω is pending for one that knows it, else returns the pending', async () => {
    // the same epoch where the reveals have not arrived yet: status pending, no Ω
    const early = await makeEpoch('lab', 42, 0, { members: 2, withhold: 1, noRecovery: true })
    const { fetch } = fakeFetch({
      'http://a': node(fx, { '/public/42': () => json(early.answer) }),
      'http://b': node(fx),
    })
    const both = createClient({ urls: ['http://a', 'http://b'], fetch })
    expect(await both.get(42)).toMatchObject({ status: 'revealed', source: 'http://b' })
    const onlyPending = createClient({ urls: ['http://a'], fetch })
    const p = await onlyPending.get(42)
    expect(p).toMatchObject({ status: 'pending', source: 'http://a' })
    expect(p.beacon).toBeUndefined()
  })

  it('names every source when all fail, and says not found when all said 404', async () => {
    const { fetch } = fakeFetch({
      'http://a': node(fx, { '/public/42': () => json({ error: { message: 'boom' } }, 500) }),
      'http://b': hang,
    })
    const client = createClient({ urls: ['http://a', 'http://b'], fetch, timeoutMs: 100 })
    const err = await client.get(42).catch((e: unknown) => e)
    expect(err).toMatchObject({
      code: 'ERR_ALL_SOURCES_FAILED',
      failures: [
        { url: 'http://a', code: 'ERR_SOURCE' },
        { url: 'http://b', code: 'ERR_TIMEOUT' },
      ],
    })
    expect(String(err)).toMatch(/http:\/\/a: ERR_SOURCE: HTTP 500: boom; http:\/\/b: ERR_TIMEOUT/)
    await expect(client.get(7)).rejects.toMatchObject({ code: 'ERR_ALL_SOURCES_FAILED' })
    const only404 = createClient({ urls: ['http://a'], fetch })
    await expect(only404.get(7)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
  })

  it('refuses a source of another network when one is pinned', async () => {
    const other = await makeEpoch('other', 42, 1)
    const { fetch } = fakeFetch({ 'http://a': node(other), 'http://b': node(fx) })
    const client = createClient({ urls: ['http://a', 'http://b'], fetch, network: 'lab' })
    expect((await client.get(42)).network).toBe('lab')
    // unpinned, the first source to answer /public/info sets the network
    const loose = createClient({ urls: ['http://a'], fetch })
    expect((await loose.info()).network).toBe('other')
  })

  it('refuses bad options', () => {
    expect(() => createClient({ urls: [] })).toThrow(/at least one URL/)
    expect(() => createClient({ urls: ['ftp://x'] })).toThrow(/not an http/)
  })

  it('watch() yields each new final epoch once and ends when aborted', async () => {
    const e42 = fx
    const e43 = await makeEpoch('lab', 43, 1)
    let polls = 0
    const { fetch } = fakeFetch({
      'http://a': (path) => {
        if (path === '/public/info') return info('lab', 20).then(json)
        polls++
        return json(polls < 3 ? e42.answer : e43.answer)
      },
    })
    const client = createClient({ urls: ['http://a'], fetch })
    const controller = new AbortController()
    const seen: number[] = []
    for await (const b of client.watch({ signal: controller.signal })) {
      seen.push(b.epoch)
      if (b.epoch === 43) controller.abort()
    }
    expect(seen).toEqual([42, 43])
    expect(polls).toBeGreaterThanOrEqual(3)
  })
})
