import { request as httpRequest, type IncomingMessage } from 'node:http'
import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AlaraEventBus } from '../events.js'
import { FakeNodeService } from '../test-helpers/fake-node-service.js'
import { type ApiServer, startApi } from './control-server.js'
import { EventClient, EventHub, parseEventTypes } from './event-stream.js'

const TOKEN = 'b2'.repeat(32)
let bus: AlaraEventBus
let server: ApiServer

beforeEach(async () => {
  bus = new AlaraEventBus()
  server = await startApi({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    service: new FakeNodeService('12D3KooWfake'),
    events: bus,
    eventStream: { maxStreams: 2, heartbeatMs: 50 },
  })
})

afterEach(async () => {
  await server.close()
})

interface Stream {
  res: IncomingMessage
  /** everything received so far */
  text(): string
  /** resolves once the received text matches, within a bound */
  until(re: RegExp, ms?: number): Promise<string>
  close(): void
}

function open(path: string, token: string | null = TOKEN): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> =
      token === null ? {} : { authorization: `Bearer ${token}` }
    const req = httpRequest(`${server.url}${path}`, { headers }, (res) => {
      let received = ''
      const waiters: Array<() => void> = []
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        received += chunk
        for (const w of waiters.splice(0)) w()
      })
      resolve({
        res,
        text: () => received,
        until: (re, ms = 5000) =>
          new Promise((ok, fail) => {
            const deadline = setTimeout(() => fail(new Error(`no ${re} in: ${received}`)), ms)
            const check = (): void => {
              if (re.test(received)) {
                clearTimeout(deadline)
                ok(received)
              } else waiters.push(check)
            }
            check()
          }),
        close: () => req.destroy(),
      })
    })
    req.on('error', reject)
    req.end()
  })
}

/** Polls `check` (in-process state) until it holds, at most `ms`. */
const eventually = (check: () => boolean, ms = 5000): Promise<void> =>
  vi.waitFor(
    () => {
      if (!check()) throw new Error('condition not met in time')
    },
    { timeout: ms, interval: 10 },
  )

describe('GET /v1/events', () => {
  it('streams events as id/event/data frames', async () => {
    const s = await open('/v1/events')
    expect(s.res.statusCode).toBe(200)
    expect(s.res.headers['content-type']).toMatch(/^text\/event-stream/)
    await s.until(/: alara events/)
    bus.emit('epoch:closed', { epoch: 7, digestHex: 'ab', count: 2 })
    bus.emit('consensus:changed', { epoch: 7, status: 'agreed', agreement: 1 })
    const text = await s.until(/event: consensus:changed/)
    expect(text).toContain(
      'id: 1\nevent: epoch:closed\ndata: {"epoch":7,"digestHex":"ab","count":2}\n\n',
    )
    expect(text).toContain(
      'id: 2\nevent: consensus:changed\ndata: {"epoch":7,"status":"agreed","agreement":1}\n\n',
    )
    s.close()
  })

  it('filters by ?types= and subscribes only those types', async () => {
    const s = await open('/v1/events?types=contribution:folded')
    await s.until(/: alara events/)
    expect(bus.listenerCount('contribution:folded')).toBe(1)
    expect(bus.listenerCount('epoch:closed')).toBe(0)
    bus.emit('epoch:closed', { epoch: 1, digestHex: 'cd', count: 0 })
    bus.emit('contribution:folded', {
      idHex: '01',
      originHex: '02',
      epoch: 1,
      bitLength: 8,
      timestampMs: 1,
      receivedMs: 2,
      via: 'inject',
    })
    const text = await s.until(/contribution:folded/)
    expect(text).not.toContain('epoch:closed')
    s.close()
  })

  it('sends a heartbeat comment', async () => {
    const s = await open('/v1/events')
    await s.until(/: heartbeat\n\n/)
    s.close()
  })

  it('removes its listeners when the client goes away', async () => {
    const s = await open('/v1/events')
    await s.until(/: alara events/)
    expect(bus.listenerCount('epoch:closed')).toBe(1)
    s.close()
    await eventually(() => bus.listenerCount('epoch:closed') === 0)
  })

  it('needs the token', async () => {
    const s = await open('/v1/events', null)
    expect(s.res.statusCode).toBe(401)
    s.close()
  })

  it('refuses an unknown type with 400 and subscribes nothing', async () => {
    const s = await open('/v1/events?types=epoch:closed,nope')
    expect(s.res.statusCode).toBe(400)
    expect(JSON.parse(await s.until(/\}\}$/))).toEqual({
      error: { code: 'ERR_BAD_REQUEST', message: expect.stringContaining("'nope'") },
    })
    expect(bus.listenerCount('epoch:closed')).toBe(0)
  })

  it('bounds concurrent streams (503 ERR_BUSY)', async () => {
    const a = await open('/v1/events')
    const b = await open('/v1/events')
    const c = await open('/v1/events')
    expect(c.res.statusCode).toBe(503)
    expect(JSON.parse(await c.until(/\}\}$/)).error.code).toBe('ERR_BUSY')
    a.close()
    // the freed slot is taken again once the server has seen the client go
    const d = await vi.waitFor(
      async () => {
        const s = await open('/v1/events')
        expect(s.res.statusCode).toBe(200)
        return s
      },
      { timeout: 5000, interval: 20 },
    )
    b.close()
    d.close()
  })

  it('ends open streams when the server closes', async () => {
    const s = await open('/v1/events')
    await s.until(/: alara events/)
    const ended = new Promise((r) => s.res.on('close', r))
    await server.close()
    await ended
    expect(bus.listenerCount('epoch:closed')).toBe(0)
    // afterEach closes again: closing twice is harmless
  })
})

describe('slow clients', () => {
  /** a socket that takes one write and then never drains */
  function stuck(): Writable & { destroyedByHub: boolean } {
    const w = new Writable({ highWaterMark: 1, write: () => {} }) as Writable & {
      destroyedByHub: boolean
    }
    w.destroyedByHub = false
    w.on('close', () => {
      w.destroyedByHub = true
    })
    return w
  }

  it('queues up to maxQueued events, then drops the client and its listeners', async () => {
    const events = new AlaraEventBus()
    const hub = new EventHub(events, { maxQueued: 3 })
    const res = stuck()
    hub.add(res as never, parseEventTypes('epoch:closed'))
    for (let i = 0; i < 4; i++) events.emit('epoch:closed', { epoch: i, digestHex: '', count: 0 })
    expect(hub.size).toBe(1) // one written, three queued
    events.emit('epoch:closed', { epoch: 9, digestHex: '', count: 0 })
    expect(hub.size).toBe(0)
    expect(events.listenerCount('epoch:closed')).toBe(0)
    await eventually(() => res.destroyedByHub)
  })

  it('writes the queue in order once the socket drains', () => {
    const written: string[] = []
    let drain: (() => void) | undefined
    let full = true
    const res = {
      write: (chunk: string) => {
        written.push(chunk)
        return !full
      },
      once: (_: string, fn: () => void) => {
        drain = fn
      },
      end: () => {},
      destroy: () => {},
    }
    const client = new EventClient(res as never, new Set(), 10, () => {})
    client.send('a')
    client.send('b')
    client.send('c')
    expect(written).toEqual(['a'])
    expect(client.queued).toBe(2)
    full = false
    drain?.()
    expect(written).toEqual(['a', 'b', 'c'])
    expect(client.queued).toBe(0)
  })
})

describe('parseEventTypes', () => {
  it('takes all by default, trims names, refuses unknown ones', () => {
    expect(parseEventTypes(undefined).size).toBeGreaterThan(10)
    expect([...parseEventTypes(' epoch:closed , peer:connected')]).toEqual([
      'epoch:closed',
      'peer:connected',
    ])
    expect(() => parseEventTypes('epoch:closed,bogus')).toThrow(/unknown event type 'bogus'/)
  })
})
