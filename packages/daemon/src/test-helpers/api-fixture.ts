import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { afterEach, beforeAll, beforeEach, expect } from 'vitest'
import { buildApi } from '../api/control-server.js'
import { FakeNodeService } from './fake-node-service.js'

export const TEST_TOKEN = 'a1'.repeat(32)

export interface ApiFixture {
  /** A real peer id, made once per file. */
  readonly peer: string
  /** The node behind the API, fresh for each test. */
  readonly fake: FakeNodeService
  readonly app: FastifyInstance
  /** A request with the bearer token unless `token` says otherwise (`null`: none). */
  call(opts: InjectOptions & { token?: string | null }): Promise<LightMyRequestResponse>
}

/** The control API over a FakeNodeService, built before and closed after every test. */
export function useApiFixture(): ApiFixture {
  let peer = ''
  let fake: FakeNodeService | undefined
  let app: FastifyInstance | undefined
  beforeAll(async () => {
    peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  })
  beforeEach(async () => {
    fake = new FakeNodeService(peer)
    app = buildApi({ token: TEST_TOKEN, service: fake })
    await app.ready()
  })
  afterEach(async () => {
    await app?.close()
  })
  const built = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the API fixture is used outside a test')
    return value
  }
  return {
    get peer() {
      return peer
    },
    get fake() {
      return built(fake)
    },
    get app() {
      return built(app)
    },
    call(opts) {
      const { token, ...rest } = opts
      const headers: Record<string, string> = { ...(rest.headers as Record<string, string>) }
      if (token === undefined) headers.authorization = `Bearer ${TEST_TOKEN}`
      else if (token !== null) headers.authorization = token
      return built(app).inject({ ...rest, headers })
    },
  }
}

/** The documented error shape, exactly: `{ error: { code, message } }`, as JSON. */
export function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status)
  expect(res.headers['content-type']).toMatch(/^application\/json/)
  const body = res.json() as { error: { code: string; message: string } }
  expect(body).toEqual({ error: { code, message: expect.any(String) } })
  expect(body.error.message.length).toBeGreaterThan(0)
}
