import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { healthProof } from '@alara/daemon/health'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from './cli.js'
import type { Io } from './io.js'

const PEER = '12D3KooWGzBnHAHh2MDFZ9qS7fBEQxQmhVaWPA8VD7qtdVbUXVx5'
const TOKEN = 'c'.repeat(64)

function memIo(env: NodeJS.ProcessEnv, stdin: Uint8Array = new Uint8Array()) {
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
const ANSWERS: Record<string, unknown> = {
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
    digest: '22'.repeat(32),
    count: 1,
    contributions: ['ab'.repeat(32)],
    verified: false,
  },
  'GET /v1/beacon/4': {
    epoch: 4,
    beacon: '',
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

let home: string
let server: Server
const seen: Array<{ route: string; url: string; body: string }> = []

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

async function alara(args: string[], stdin?: Uint8Array) {
  const io = memIo({ ALARA_HOME: home }, stdin)
  const code = await run(args, io.io)
  return { code, stdout: io.stdout(), stderr: io.stderr(), raw: io.raw() }
}

describe('wrong usage exits 2 with the usage line', () => {
  const cases: Array<[string[], RegExp]> = [
    [['inject'], /give one of --bits, --hex, --file or --random/],
    [['inject', '--bits', '01', '--hex', 'ff'], /give only one of/],
    [['inject', '--bits', '0121'], /only 0 and 1/],
    [['inject', '--bits', ''], /at least one bit/],
    [['inject', '--hex', 'abc'], /even number of hex digits/],
    [['inject', '--random', '0'], /positive/],
    [['trust', 'set', PEER, '1.5'], /trust must be in \[0, 1\]/],
    [['trust', 'set', PEER], /missing required argument 'level'/],
    [['random'], /--bytes <n>' not specified/],
    [['random', '--bytes', '0'], /positive whole number/],
    [['random', '--bytes', '2000000', '--json'], /--json holds at most 1048576 bytes/],
    [['beacon', '--at', 'yesterday'], /unix milliseconds or an ISO 8601 time/],
    [['beacon', '--at', '2026-13-45T99:00:00Z'], /unix milliseconds or an ISO 8601 time/],
    [['beacon', '5', '--at', '0'], /not both/],
    [['beacon', '--from', 'ftp://node'], /http\(s\) URL/],
    [['random', '--bytes', '8', '--format', 'oct'], /Allowed choices are hex, base64, raw/],
    [['random', '--bytes', '8', '--format', 'raw', '--json'], /cannot be combined with --json/],
    [['beacon', 'yesterday'], /epoch number or "latest"/],
    [['consensus', '--epochs', '0'], /\[1, 10000\]/],
    [['pool', '--bits', '-1'], /whole number/],
    [['connect', '127.0.0.1:4590'], /starts with \//],
    [['daemon', '--epoch-ms', 'fast'], /whole number/],
    [['daemon', '--listen', '/ip4/1.2.3/tcp/1'], /IPv4/],
    [['daemon', '--bootstrap', '/ip4/127.0.0.1/tcp/1'], /\/p2p\/<peer id>/],
    [['daemon', '--api', '127.0.0.1'], /HOST:PORT/],
    [['daemon', '--network', 'a b'], /A-Z/],
    [['devnet'], /--nodes <n>' not specified/],
    [['devnet', '--nodes', '0'], /\[1, 64\]/],
    [['devnet', '--nodes', '3', '--base-port', '65533'], /no room for 3 nodes/],
    [['peers', 'extra'], /too many arguments/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['pool', '--frob'], /unknown option '--frob'/],
  ]
  for (const [args, message] of cases) {
    it(args.join(' ') || '(none)', async () => {
      const r = await alara(args)
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      const [first, usage] = r.stderr.split('\n')
      expect(first).toMatch(/^alara: /)
      expect(first).toMatch(message)
      expect(usage).toMatch(/^usage: alara/)
    })
  }

  it('shows the command path in the usage line', async () => {
    const r = await alara(['trust', 'set', PEER, 'x'])
    expect(r.stderr).toContain('usage: alara trust set [options] <peer> <level>')
  })

  it('prints help for a bare `alara` and exits 2', async () => {
    const r = await alara([])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Usage: alara')
  })
})

describe('help and version', () => {
  it('--version prints the version', async () => {
    const r = await alara(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^alara \d+\.\d+\.\d+/)
  })

  it('--help lists every command of CLI.md', async () => {
    const r = await alara(['--help'])
    expect(r.code).toBe(0)
    for (const name of [
      'init',
      'daemon',
      'id',
      'peers',
      'connect',
      'trust',
      'inject',
      'pool',
      'quality',
      'tests',
      'consensus',
      'beacon',
      'random',
      'status',
      'devnet',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'))
    }
  })

  it('subcommand help shows the global flags', async () => {
    const r = await alara(['pool', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('--json')
    expect(r.stdout).toContain('--home')
  })
})

describe('commands against the API', () => {
  it('id --json prints the API object', async () => {
    const r = await alara(['id', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual(ANSWERS['GET /v1/id'])
  })

  it('global flags work before the command too', async () => {
    const r = await alara(['--json', '--home', home, 'id'])
    expect(JSON.parse(r.stdout).peerId).toBe(PEER)
  })

  it('peers --json and trust ls --json print the arrays themselves', async () => {
    const peers = await alara(['peers', '--json'])
    expect(JSON.parse(peers.stdout)).toEqual((ANSWERS['GET /v1/peers'] as { peers: unknown }).peers)
    const trust = await alara(['trust', 'ls', '--json'])
    expect(JSON.parse(trust.stdout)).toEqual([{ peerId: PEER, trust: 0.5, active: false }])
  })

  it('peers prints a table', async () => {
    const r = await alara(['peers'])
    expect(r.stdout.split('\n')[0]).toMatch(
      /^PEER\s+CONNECTED\s+TRUST\s+ACTIVE\s+CONTRIBUTIONS\s+LAST SEEN\s+AGREED\/VOTED\s+LAST VOTE$/,
    )
    expect(r.stdout).toMatch(
      new RegExp(`^${PEER}\\s+yes\\s+0\\.80\\s+yes\\s+3\\s+never\\s+3/4\\s+6$`, 'm'),
    )
  })

  it('inject --bits sends the bits and prints ids, epoch and peers', async () => {
    const r = await alara(['inject', '--bits', '0110'])
    expect(r.code).toBe(0)
    expect(seen.at(-1)).toMatchObject({ route: 'POST /v1/inject', body: '{"bits":"0110"}' })
    expect(r.stdout).toBe(
      `${'ab'.repeat(32)}  epoch 7\n${'cd'.repeat(32)}  epoch 7\ninjected 16 bits in 2 contributions, published to 2 peers\n`,
    )
  })

  it('inject --file - sends stdin as hex', async () => {
    const r = await alara(['inject', '--file', '-', '--json'], new Uint8Array([0xde, 0xad, 0x01]))
    expect(r.code).toBe(0)
    expect(seen.at(-1)?.body).toBe('{"hex":"dead01"}')
    expect(JSON.parse(r.stdout)).toMatchObject({ epoch: 7, bitLength: 16, publishedTo: 2 })
  })

  it('inject --file names the file when it is too large for the daemon', async () => {
    const big = join(home, 'big.bin')
    await writeFile(big, new Uint8Array(40_000))
    const r = await alara(['inject', '--file', big])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `alara: Request body is too large: ${big} holds 40000 bytes; inject it in smaller pieces (ERR_BAD_REQUEST)\n`,
    )
  })

  it('inject --file with a missing file fails clearly', async () => {
    const r = await alara(['inject', '--file', join(home, 'nope.bin')])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `alara: cannot read ${join(home, 'nope.bin')}: no such file (ERR_READ_FAILED)\n`,
    )
  })

  it('random writes hex, base64 or raw bytes', async () => {
    expect((await alara(['random', '--bytes', '3'])).stdout).toBe('00ff10\n')
    expect((await alara(['random', '--bytes', '3', '--format', 'base64'])).stdout).toBe('AP8Q\n')
    const raw = await alara([
      'random',
      '--bytes',
      '3',
      '--format',
      'raw',
      '--epoch',
      '5',
      '--allow-low-entropy',
    ])
    expect([...raw.raw]).toEqual([0x00, 0xff, 0x10])
    expect(JSON.parse(seen.at(-1)?.body ?? '')).toEqual({
      bytes: 3,
      epoch: 5,
      allowLowEntropy: true,
    })
  })

  it('random streams any length in pieces: shared draws read on at an offset', async () => {
    const total = 2 * 1_048_575 + 10
    const expected = Buffer.alloc(total)
    for (let i = 0; i < total; i++) expected[i] = i % 251
    const before = seen.length
    const raw = await alara(['random', '--bytes', String(total), '--format', 'raw', '--epoch', '5'])
    expect(raw.code).toBe(0)
    expect(raw.raw.equals(expected)).toBe(true)
    expect(seen.slice(before).map((s) => JSON.parse(s.body))).toEqual([
      { bytes: 1_048_575, epoch: 5 },
      { bytes: 1_048_575, epoch: 5, offset: 1_048_575 },
      { bytes: 10, epoch: 5, offset: 2_097_150 },
    ])
    // base64 pieces of 3k bytes join into the one base64 text of the whole, one final newline
    const b64 = await alara([
      'random',
      '--bytes',
      String(total),
      '--format',
      'base64',
      '--epoch',
      '5',
    ])
    expect(b64.stdout).toBe(`${expected.toString('base64')}\n`)
    const hex = await alara(['random', '--bytes', String(total), '--epoch', '5'])
    expect(hex.stdout).toBe(`${expected.toString('hex')}\n`)
    // private draws: independent draws, no offset
    const privateBefore = seen.length
    await alara(['random', '--bytes', '1048576', '--format', 'raw'])
    expect(seen.slice(privateBefore).map((s) => JSON.parse(s.body))).toEqual([
      { bytes: 1_048_575 },
      { bytes: 1 },
    ])
  })

  it('beacon --verify that fails prints the beacon, then fails', async () => {
    const r = await alara(['beacon', '--verify', '--json'])
    expect(seen.at(-1)?.url).toBe('/v1/beacon/latest?verify=true')
    expect(JSON.parse(r.stdout).verified).toBe(false)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/does not match .* \(ERR_BEACON_MISMATCH\)\n$/)
  })

  it('beacon of an empty epoch says so', async () => {
    const r = await alara(['beacon', '4'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^beacon\s+\(none: no contributions\)$/m)
  })

  it('API errors are one line with the code', async () => {
    const r = await alara(['status'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('alara: no GET /v1/status (ERR_NOT_FOUND)\n')
  })

  it('--debug adds the stack', async () => {
    const r = await alara(['status', '--debug'])
    expect(r.stderr.split('\n')[0]).toBe('alara: no GET /v1/status (ERR_NOT_FOUND)')
    expect(r.stderr).toContain('CliError')
  })
})

describe('no daemon', () => {
  it('says how to start one, exit 1', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'alara-cli-empty-'))
    try {
      const io = memIo({})
      const code = await run(['pool', '--home', empty], io.io)
      expect(code).toBe(1)
      expect(io.stderr()).toBe(
        `alara: no ALARA daemon is running for ${empty} (start one with: alara daemon --home ${empty}) (ERR_NO_DAEMON)\n`,
      )
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
  })
})
