import {
  AlaraError,
  encodeElement,
  GID,
  type ProtocolParams,
  type TimelockGenerator,
  toHex,
} from '@alara/protocol'
import rateLimit from '@fastify/rate-limit'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import { httpStatusOf } from '../errors.js'
import { VERSION } from '../version.js'
import { type Listening, listenOn } from './listen.js'
import { isSettled, type PublicBeacon, type PublicBeacons } from './public-beacons.js'

/**
 * The public beacon API (DESIGN.md, "The daemon's surfaces"): read-only, no token, on a
 * listener of its own so that publishing beacons never exposes the control API. A final
 * epoch whose shared beacon is settled never changes, so its answer is immutable and
 * cacheable for a week (a pending one is not cached); `/public/info` gives what a verifier
 * needs besides the answers: the network, its timing, T, h = g^(2^T) with its proof and
 * the group's id GID (DESIGN.md "The shared beacon, version 2"); CORS is
 * open for reads so that a web page can fetch and verify beacons itself; every client
 * address is rate-limited.
 */

export interface PublicApiInit {
  host: string
  port: number
  beacons: PublicBeacons
  params: Pick<ProtocolParams, 'network' | 'epochMs' | 'graceMs' | 'finalMs'>
  /** h = g^(2^T) and its Wesolowski proof for the network's T */
  timelock: TimelockGenerator
  peerId: string
  /** requests per client address per minute (default 600) */
  rateLimit?: number
}

/** A listening server: its base URL and its stop. */
export type PublicApiServer = Listening

const IMMUTABLE = 'public, max-age=604800, immutable'
/** a pending shared beacon: every ask goes back to the node */
const PENDING = 'no-cache'
const EPOCH = { type: 'string', pattern: '^[0-9]{1,15}$' }

export async function buildPublicApi(
  init: Omit<PublicApiInit, 'host' | 'port'>,
): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 1024 })
  // `latest` moves at the pace of epochs: cache it for at most one
  const latestMaxAge = Math.max(1, Math.floor(init.params.epochMs / 1000))

  app.addHook('onRequest', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*')
  })
  await app.register(rateLimit, {
    max: init.rateLimit ?? 600,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new Error(
          `rate limit of ${context.max} requests a minute exceeded; retry in ${context.after}`,
        ),
        { statusCode: 429, code: 'ERR_RATE_LIMITED' },
      ),
  })

  app.setErrorHandler((err: FastifyError | AlaraError | Error, _request, reply) => {
    reply.header('cache-control', 'no-store')
    if (err instanceof AlaraError)
      return reply
        .code(httpStatusOf(err.code))
        .send({ error: { code: err.code, message: err.message } })
    const fe = err as FastifyError
    if (fe.statusCode === 429)
      return reply.code(429).send({ error: { code: 'ERR_RATE_LIMITED', message: fe.message } })
    if (fe.validation !== undefined || (fe.statusCode !== undefined && fe.statusCode < 500))
      return reply
        .code(fe.statusCode ?? 400)
        .send({ error: { code: 'ERR_BAD_REQUEST', message: fe.message } })
    return reply.code(500).send({ error: { code: 'ERR_INTERNAL', message: err.message } })
  })
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: { code: 'ERR_NOT_FOUND', message: `no such route: ${request.method} ${request.url}` },
    }),
  )

  app.get('/public/info', async (_request, reply) => {
    reply.header('cache-control', `public, max-age=${latestMaxAge}`)
    return {
      network: init.params.network,
      epochMs: init.params.epochMs,
      graceMs: init.params.graceMs,
      finalMs: init.params.finalMs,
      peerId: init.peerId,
      version: VERSION,
      timelockSquarings: init.timelock.T,
      h: toHex(encodeElement(init.timelock.h)),
      hProof: toHex(encodeElement(init.timelock.proof)),
      gid: toHex(GID),
    }
  })

  app.get('/public/latest', async (_request, reply) => {
    const out = await init.beacons.latest()
    reply.header('cache-control', `public, max-age=${latestMaxAge}`)
    return out
  })

  app.get(
    '/public/at/:timeMs',
    { schema: { params: { type: 'object', properties: { timeMs: EPOCH } } } },
    async (request, reply) => {
      const out = await init.beacons.at(Number((request.params as { timeMs: string }).timeMs))
      reply.header('cache-control', cacheOf(out))
      return out
    },
  )

  app.get(
    '/public/:epoch',
    { schema: { params: { type: 'object', properties: { epoch: EPOCH } } } },
    async (request, reply) => {
      const out = await init.beacons.get(Number((request.params as { epoch: string }).epoch))
      reply.header('cache-control', cacheOf(out))
      return out
    },
  )
  return app
}

const cacheOf = (answer: PublicBeacon): string => (isSettled(answer) ? IMMUTABLE : PENDING)

export async function startPublicApi(init: PublicApiInit): Promise<PublicApiServer> {
  return listenOn(await buildPublicApi(init), init, 'public beacon API', '--public-api')
}
