import { timingSafeEqual } from 'node:crypto'
import { AlaraError } from '@alara/protocol'
import { Ajv } from 'ajv'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import { httpStatusOf, RateLimitedError } from '../errors.js'
import type { AlaraEventBus } from '../events.js'
import { type EventStreamOptions, registerEventStream } from './event-stream.js'
import { CHALLENGE_RE, type HealthAnswer, healthProof } from './health.js'
import { type Listening, listenOn } from './listen.js'
import type { NodeService } from './node-service.js'
import { registerRoutes } from './routes.js'
import { isUiPath, registerUi } from './ui.js'

/**
 * The control API: HTTP + JSON under /v1, bearer token on every route but /v1/healthz
 * (liveness, peer id, pid and a proof of the token for a challenge: see health.ts) and
 * the dashboard's static files under /ui/ (ui.ts),
 * errors as `{ error: { code, message } }`. Bodies are checked by JSON schemas before a
 * handler runs, so a bad request changes nothing.
 */

export interface ApiServerInit {
  host: string
  port: number
  token: string
  /** told by the unauthenticated /v1/healthz, with this process's pid */
  peerId?: string
  service: NodeService
  /** fields added to /v1/id (the URLs of the node's other listeners) */
  idExtras?: Record<string, string>
  /** the node's event bus, served as server-sent events on GET /v1/events */
  events?: AlaraEventBus
  /** bounds of the event stream (event-stream.ts) */
  eventStream?: Omit<EventStreamOptions, 'events'>
  warn?: (message: string) => void
}

/** A listening server: its base URL and its stop. */
export type ApiServer = Listening

function tokenMatches(header: string | undefined, token: Buffer): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false
  const given = Buffer.from(header.slice('Bearer '.length).trim())
  return given.length === token.length && timingSafeEqual(given, token)
}

export function buildApi(init: Omit<ApiServerInit, 'host' | 'port'>): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 })
  // Query strings and path parameters are text and are converted to their schema types
  // (?bits=16); JSON bodies are checked as they are: "0.5" is not a trust level.
  const bodies = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false })
  const params = new Ajv({ allErrors: false, coerceTypes: 'array', removeAdditional: false })
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodies : params).compile(schema),
  )
  const token = Buffer.from(init.token)

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? ''
    if (path === '/v1/healthz' || isUiPath(path)) return
    if (!tokenMatches(request.headers.authorization, token)) {
      await reply.code(401).send({
        error: {
          code: 'ERR_UNAUTHORIZED',
          message: 'missing or wrong API token (see HOME/api.token)',
        },
      })
    }
  })

  app.setErrorHandler((err: FastifyError | AlaraError | Error, _request, reply) => {
    if (err instanceof AlaraError) {
      // 429 says when to come back (whole seconds, at least 1)
      if (err instanceof RateLimitedError && err.retryAfterMs !== undefined)
        void reply.header('Retry-After', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))))
      return reply
        .code(httpStatusOf(err.code))
        .send({ error: { code: err.code, message: err.message } })
    }
    const fe = err as FastifyError
    if (fe.validation !== undefined || (fe.statusCode !== undefined && fe.statusCode < 500)) {
      return reply.code(fe.statusCode ?? 400).send({
        error: { code: 'ERR_BAD_REQUEST', message: fe.message },
      })
    }
    return reply.code(500).send({ error: { code: 'ERR_INTERNAL', message: err.message } })
  })

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: { code: 'ERR_NOT_FOUND', message: `no such route: ${request.method} ${request.url}` },
    }),
  )

  app.get(
    '/v1/healthz',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { challenge: { type: 'string', pattern: CHALLENGE_RE.source } },
        },
      },
    },
    async (request): Promise<HealthAnswer> => {
      const { challenge } = request.query as { challenge?: string }
      const answer: HealthAnswer = { ok: true, peerId: init.peerId, pid: process.pid }
      if (challenge !== undefined)
        answer.proof = healthProof(init.token, challenge, init.peerId ?? '', process.pid)
      return answer
    },
  )
  registerRoutes(app, init.service, init.idExtras)
  registerUi(app, { publicApiUrl: init.idExtras?.publicApiUrl })
  if (init.events !== undefined)
    registerEventStream(app, { ...init.eventStream, events: init.events })
  return app
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

export async function startApi(init: ApiServerInit): Promise<ApiServer> {
  const app = buildApi(init)
  if (!LOOPBACK.has(init.host))
    init.warn?.(
      `WARNING: the control API is bound to ${init.host}, reachable from other machines; anyone with the token controls this node`,
    )
  return listenOn(app, init, 'control API', '--api')
}
