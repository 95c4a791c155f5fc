import { MAX_DRAW_BYTES } from '@alara/protocol'
import type { FastifyInstance } from 'fastify'
import type { InjectRequest } from '../node/inject.js'
import type { NodeService } from './node-service.js'
import type { ConnectRequest, RandomRequest, TrustSetRequest } from './types.js'

/** Route table of docs/API.md; every body and query is schema-checked before a handler. */

// The node parses peer ids itself and says what is wrong with one in words.
const PEER_ID = { type: 'string', minLength: 1, maxLength: 128 }

export function registerRoutes(
  app: FastifyInstance,
  service: NodeService,
  idExtras: Record<string, string> = {},
): void {
  app.get('/v1/id', async () => ({ ...service.id(), ...idExtras }))

  app.get('/v1/peers', async () => ({ peers: await service.peers() }))

  app.post(
    '/v1/connect',
    {
      schema: {
        body: {
          type: 'object',
          required: ['multiaddr'],
          additionalProperties: false,
          properties: { multiaddr: { type: 'string', minLength: 1, maxLength: 1024 } },
        },
      },
    },
    async (request) => service.connect((request.body as ConnectRequest).multiaddr),
  )

  app.get('/v1/trust', async () => ({ trust: service.trustList() }))

  app.put(
    '/v1/trust/:peerId',
    {
      schema: {
        params: { type: 'object', properties: { peerId: PEER_ID } },
        body: {
          type: 'object',
          required: ['trust'],
          additionalProperties: false,
          properties: {
            trust: { type: 'number', minimum: 0, maximum: 1 },
            active: { type: 'boolean' },
          },
        },
      },
    },
    async (request) => {
      const { peerId } = request.params as { peerId: string }
      const body = request.body as TrustSetRequest
      return service.trustSet(peerId, body.trust, body.active ?? true)
    },
  )

  app.delete(
    '/v1/trust/:peerId',
    { schema: { params: { type: 'object', properties: { peerId: PEER_ID } } } },
    async (request) => service.trustRemove((request.params as { peerId: string }).peerId),
  )

  app.post(
    '/v1/inject',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          // exactly one source of entropy
          oneOf: [{ required: ['bits'] }, { required: ['hex'] }, { required: ['random'] }],
          properties: {
            publish: { type: 'boolean' },
            bits: { type: 'string', minLength: 1, maxLength: 4 * 1024 * 1024, pattern: '^[01]+$' },
            hex: {
              type: 'string',
              minLength: 2,
              maxLength: 1024 * 1024,
              pattern: '^([0-9a-fA-F]{2})+$',
            },
            random: { type: 'integer', minimum: 1, maximum: 4 * 1024 * 1024 },
          },
        },
      },
    },
    async (request) => service.inject(request.body as InjectRequest),
  )

  app.get(
    '/v1/pool',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { bits: { type: 'integer', minimum: 0 } },
        },
      },
    },
    async (request) => service.pool((request.query as { bits?: number }).bits),
  )

  app.get('/v1/quality', async () => service.quality())

  app.get('/v1/tests', async () => service.tests())

  app.get(
    '/v1/consensus',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { epochs: { type: 'integer', minimum: 1, maximum: 10_000 } },
        },
      },
    },
    async (request) => ({
      epochs: service.consensus((request.query as { epochs?: number }).epochs ?? 10),
    }),
  )

  app.get(
    '/v1/beacon/:epoch',
    {
      schema: {
        params: {
          type: 'object',
          properties: { epoch: { type: 'string', pattern: '^(latest|[0-9]{1,15})$' } },
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { verify: { type: 'boolean' } },
        },
      },
    },
    async (request) => {
      const { epoch } = request.params as { epoch: string }
      const { verify } = request.query as { verify?: boolean }
      return service.beacon(epoch === 'latest' ? 'latest' : Number(epoch), verify === true)
    },
  )

  app.post(
    '/v1/random',
    {
      schema: {
        body: {
          type: 'object',
          required: ['bytes'],
          additionalProperties: false,
          // an offset reads on in the shared stream of epoch R; private draws have none
          dependencies: { offset: ['epoch'] },
          properties: {
            bytes: { type: 'integer', minimum: 1, maximum: MAX_DRAW_BYTES },
            epoch: { type: 'integer', minimum: 0 },
            offset: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
            allowLowEntropy: { type: 'boolean' },
          },
        },
      },
    },
    async (request) => service.random(request.body as RandomRequest),
  )

  app.get('/v1/status', async () => service.status())
}
