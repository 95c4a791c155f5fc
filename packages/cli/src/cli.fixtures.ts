import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { healthProof } from '@alara/daemon/health'
import { afterAll, beforeAll } from 'vitest'
import { run } from './cli.js'
import type { Io } from './io.js'

/** The in-memory terminal and fake daemon API shared by the CLI's run() tests. */

export const PEER = '12D3KooWGzBnHAHh2MDFZ9qS7fBEQxQmhVaWPA8VD7qtdVbUXVx5'
const TOKEN = 'c'.repeat(64)

export function memIo(env: NodeJS.ProcessEnv, stdin: Uint8Array = new Uint8Array()) {
  const out: Buffer[] = []
  const err: string[] = []
  const io: Io = {
    stdout: { write: (c) => out.push(Buffer.from(c)) },
    stderr: { write: (c) => err.push(String(c)) },
    stdin: Readable.from([Buffer.from(stdin)]),
    env,
    onStopSignal: () => () => {},
    exit: (code) => {
      throw new Error(`unexpected exit ${code}`)
    },
  }
  return {
    io,
    raw: () => Buffer.concat(out),
    stdout: () => Buffer.concat(out).toString(),
    stderr: () => err.join(''),
  }
}

/** Canned API answers, keyed by "METHOD /path" (query stripped). */
export const ANSWERS: Record<string, unknown> = {
  'GET /v1/id': {
    peerId: PEER,
    addresses: ['/ip4/127.0.0.1/tcp/4590'],
    network: 'default',
    version: '0.1.0',
  },
  'GET /v1/peers': {
    peers: [
      {
        peerId: PEER,
        addresses: [],
        connected: true,
        trust: 0.8,
        active: true,
        contributions: 3,
        lastSeenMs: 0,
        epochsVoted: 4,
        epochsAgreed: 3,
        lastVoteEpoch: 6,
        connection: 'relayed',
        connectionSinceMs: Date.now() - 90_000,
      },
    ],
  },
  'GET /v1/trust': { trust: [{ peerId: PEER, trust: 0.5, active: false }] },
  'POST /v1/inject': {
    ids: ['ab'.repeat(32), 'cd'.repeat(32)],
    epoch: 7,
    bitLength: 16,
    publishedTo: 2,
  },
  'POST /v1/random': { bytes: '00ff10' },
  'POST /v1/inject-too-large': {
    error: { code: 'ERR_BAD_REQUEST', message: 'Request body is too large' },
  },
  'GET /v1/beacon/latest': {
    epoch: 9,
    beacon: '11'.repeat(32),
    status: 'revealed',
    commitsDigest: '44'.repeat(32),
    commits: ['12D3KooWPeerA'],
    withheld: [],
    equivocating: [],
    poolBeacon: '55'.repeat(32),
    digest: '22'.repeat(32),
    count: 1,
    contributions: ['ab'.repeat(32)],
    verified: false,
  },
  'GET /v1/beacon/4': {
    epoch: 4,
    status: 'none',
    commits: [],
    withheld: [],
    equivocating: [],
    digest: '33'.repeat(32),
    count: 0,
    contributions: [],
  },
}

/**
 * `random --bytes N` for N other than 3: byte i of the draw is (offset + i) mod 251, so
 * that the pieces a streamed draw asks for show where each one starts.
 */
function streamed(route: string, body: string): unknown {
  if (route !== 'POST /v1/random-stream') return undefined
  const { bytes, offset = 0 } = JSON.parse(body) as { bytes: number; offset?: number }
  const out = Buffer.alloc(bytes)
  for (let i = 0; i < bytes; i++) out[i] = (offset + i) % 251
  return { bytes: out.toString('hex') }
}

// set by serveFakeDaemon's beforeAll; importers read the current value (ESM live binding)
export let home: string
let server: Server
export const seen: Array<{ route: string; url: string; body: string }> = []

/**
 * A fake daemon for the calling test file: an API on loopback that answers from ANSWERS,
 * and an ALARA_HOME pointing at it (so no test can reach a real daemon's home).
 */
export function serveFakeDaemon(): void {
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'alara-cli-run-'))
    server = createServer(async (req, res) => {
      let body = ''
      for await (const chunk of req) body += String(chunk)
      const plain = `${req.method} ${(req.url ?? '').split('?')[0]}`
      const route =
        plain === 'POST /v1/random' && !body.includes('"bytes":3') ? `${plain}-stream` : plain
      // the health check the CLI makes before it sends the token: answered as a daemon would
      const challenge = /[?&]challenge=([0-9a-f]+)/.exec(req.url ?? '')?.[1]
      if (plain === 'GET /v1/healthz' && challenge !== undefined) {
        const health = { ok: true, peerId: PEER, pid: process.pid }
        const proof = healthProof(TOKEN, challenge, PEER, process.pid)
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ ...health, proof }))
        return
      }
      seen.push({ route, url: req.url ?? '', body })
      // a body over 64 KiB stands in for the daemon's request size limit
      const tooLarge = body.length > 65_536
      const answer = ANSWERS[tooLarge ? `${route}-too-large` : route] ?? streamed(route, body)
      const status = answer === undefined ? 404 : tooLarge ? 400 : 200
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify(answer ?? { error: { code: 'ERR_NOT_FOUND', message: `no ${route}` } }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    await writeFile(join(home, 'api'), `http://127.0.0.1:${port}\n`)
    await writeFile(join(home, 'api.token'), `${TOKEN}\n`)
    await writeFile(join(home, 'repo.lock'), `${process.pid}\n`)
  })

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    await rm(home, { recursive: true, force: true })
  })
}

export async function alara(args: string[], stdin?: Uint8Array) {
  const io = memIo({ ALARA_HOME: home }, stdin)
  const code = await run(args, io.io)
  return { code, stdout: io.stdout(), stderr: io.stderr(), raw: io.raw() }
}
