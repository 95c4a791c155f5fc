import type { ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { BadRequestError, BusyError } from '../errors.js'
import {
  ALARA_EVENT_NAMES,
  type AlaraEventBus,
  type AlaraEventName,
  isAlaraEventName,
} from '../events.js'

/**
 * `GET /v1/events`: the event bus as server-sent events. Each event is written as
 * `id: <seq>\nevent: <type>\ndata: <json detail>\n\n`, a comment line every
 * `heartbeatMs` keeps proxies and idle timers from closing the stream. Bounds: at most
 * `maxStreams` streams at once (503 ERR_BUSY beyond), and a client that does not read is
 * not buffered without limit: once more than `maxQueued` events wait for it, it is
 * disconnected. The bus is subscribed per event type only while some stream wants that
 * type, so `emitLazy` stays free when nobody watches.
 */

export interface EventStreamOptions {
  events: AlaraEventBus
  /** concurrent streams (default 16) */
  maxStreams?: number
  /** events waiting for one slow client before it is dropped (default 1000) */
  maxQueued?: number
  /** comment heartbeat period (default 15 s) */
  heartbeatMs?: number
}

export const EVENT_STREAM_DEFAULTS = { maxStreams: 16, maxQueued: 1000, heartbeatMs: 15_000 }

/** Parses `?types=a,b`: absent or empty means every event; an unknown name is refused. */
export function parseEventTypes(text: string | undefined): Set<AlaraEventName> {
  if (text === undefined || text.trim() === '') return new Set(ALARA_EVENT_NAMES)
  const types = new Set<AlaraEventName>()
  for (const raw of text.split(',')) {
    const name = raw.trim()
    if (!isAlaraEventName(name))
      throw new BadRequestError(
        `unknown event type '${name}' (known: ${ALARA_EVENT_NAMES.join(', ')})`,
      )
    types.add(name)
  }
  return types
}

/** One SSE client: writes while the socket takes them, queues a bounded number after. */
export class EventClient {
  private readonly queue: string[] = []
  private blocked = false
  private closed = false

  constructor(
    private readonly res: Pick<ServerResponse, 'write' | 'once' | 'end' | 'destroy'>,
    readonly types: ReadonlySet<AlaraEventName>,
    private readonly maxQueued: number,
    private readonly onDropped: (client: EventClient) => void,
  ) {}

  get isClosed(): boolean {
    return this.closed
  }

  get queued(): number {
    return this.queue.length
  }

  send(chunk: string): void {
    if (this.closed) return
    if (this.blocked) {
      if (this.queue.length >= this.maxQueued) {
        // fell too far behind: drop it rather than hold its backlog in memory
        this.closed = true
        this.queue.length = 0
        this.res.destroy()
        this.onDropped(this)
        return
      }
      this.queue.push(chunk)
      return
    }
    this.write(chunk)
  }

  private write(chunk: string): void {
    if (!this.res.write(chunk)) {
      this.blocked = true
      this.res.once('drain', this.flush)
    }
  }

  private readonly flush = (): void => {
    this.blocked = false
    while (!this.closed && !this.blocked && this.queue.length > 0)
      this.write(this.queue.shift() as string)
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.queue.length = 0
    this.res.end()
  }
}

/** The event stream's registry of clients and bus subscriptions. */
export class EventHub {
  private readonly clients = new Set<EventClient>()
  private readonly subscriptions = new Map<AlaraEventName, { count: number; off: () => void }>()
  private seq = 0
  private heartbeat: ReturnType<typeof setInterval> | undefined
  readonly options: Required<Omit<EventStreamOptions, 'events'>>

  constructor(
    private readonly events: AlaraEventBus,
    options: Omit<EventStreamOptions, 'events'> = {},
  ) {
    this.options = { ...EVENT_STREAM_DEFAULTS, ...options }
  }

  get size(): number {
    return this.clients.size
  }

  add(
    res: Pick<ServerResponse, 'write' | 'once' | 'end' | 'destroy'>,
    types: ReadonlySet<AlaraEventName>,
  ): EventClient {
    if (this.clients.size >= this.options.maxStreams)
      throw new BusyError(
        `too many event streams open (${this.options.maxStreams}); close one and retry`,
      )
    const client = new EventClient(res, types, this.options.maxQueued, (c) => this.remove(c))
    this.clients.add(client)
    for (const type of types) this.subscribe(type)
    if (this.heartbeat === undefined) {
      this.heartbeat = setInterval(() => {
        for (const c of this.clients) c.send(': heartbeat\n\n')
      }, this.options.heartbeatMs)
      this.heartbeat.unref()
    }
    return client
  }

  remove(client: EventClient): void {
    if (!this.clients.delete(client)) return
    client.close()
    for (const type of client.types) this.unsubscribe(type)
    if (this.clients.size === 0 && this.heartbeat !== undefined) {
      clearInterval(this.heartbeat)
      this.heartbeat = undefined
    }
  }

  closeAll(): void {
    for (const client of [...this.clients]) this.remove(client)
  }

  private subscribe(type: AlaraEventName): void {
    const sub = this.subscriptions.get(type)
    if (sub !== undefined) {
      sub.count++
      return
    }
    const off = this.events.on(type, (detail) => this.dispatch(type, detail))
    this.subscriptions.set(type, { count: 1, off })
  }

  private unsubscribe(type: AlaraEventName): void {
    const sub = this.subscriptions.get(type)
    if (sub === undefined) return
    if (--sub.count === 0) {
      sub.off()
      this.subscriptions.delete(type)
    }
  }

  private dispatch(type: AlaraEventName, detail: unknown): void {
    const chunk = `id: ${++this.seq}\nevent: ${type}\ndata: ${JSON.stringify(detail)}\n\n`
    for (const client of this.clients) if (client.types.has(type)) client.send(chunk)
  }
}

export function registerEventStream(app: FastifyInstance, options: EventStreamOptions): EventHub {
  const hub = new EventHub(options.events, options)
  app.addHook('preClose', (done) => {
    hub.closeAll()
    done()
  })
  app.get(
    '/v1/events',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { types: { type: 'string', maxLength: 2048 } },
        },
      },
    },
    async (request, reply) => {
      const types = parseEventTypes((request.query as { types?: string }).types)
      const res = reply.raw
      const client = hub.add(res, types)
      reply.hijack()
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      // a first comment flushes the headers, so a client knows at once it is subscribed
      res.write(': alara events\n\n')
      res.on('close', () => hub.remove(client))
    },
  )
  return hub
}
