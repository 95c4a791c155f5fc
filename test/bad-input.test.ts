import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiRequest, readToken } from './helpers/api.js'
import { randomBits } from './helpers/bits.js'
import { type CliResult, cliJson, describeRun, lines, runCli } from './helpers/cli.js'
import type { DaemonProcess, ExitInfo } from './helpers/daemon.js'
import { Harness } from './helpers/harness.js'
import { readRepoFile } from './helpers/home.js'
import { injectBits, type PoolJson, type TrustJson } from './helpers/node-state.js'
import { randomPeerId } from './helpers/peer-id.js'

/**
 * Every bad input gets a clear error and changes nothing (DESIGN.md "The daemon's
 * surfaces", CLI.md exit statuses): exit 1 with one line on stderr, or exit 2 with the
 * message and the usage line; the API answers `{ error: { code, message } }`. Each case
 * compares the node's state (pool, trust store, API file, lock) before and after.
 */

const h = new Harness('bad-input')
let a: DaemonProcess
const known = randomPeerId()

beforeAll(async () => {
  a = await h.start()
  // some state to lose: a trust entry and a contribution
  await cliJson(a.home, ['trust', 'set', known, '0.5'])
  await injectBits(a.home, randomBits(64))
})
afterAll(() => h.cleanup())

interface Snapshot {
  pool: Pick<PoolJson, 'stored' | 'folded' | 'digest' | 'bits' | 'bitLength'>
  trust: TrustJson[]
  api: string | undefined
  lock: string | undefined
}

/** Read over the API directly: observing must be cheap, the actions go through the CLI. */
async function snapshot(d: DaemonProcess): Promise<Snapshot> {
  const authorization = `Bearer ${await readToken(d.home)}`
  const p = (await apiRequest(d.apiUrl, 'GET', '/v1/pool', { authorization })).body as PoolJson
  const t = (await apiRequest(d.apiUrl, 'GET', '/v1/trust', { authorization })).body as {
    trust: TrustJson[]
  }
  return {
    pool: {
      stored: p.stored,
      folded: p.folded,
      digest: p.digest,
      bits: p.bits,
      bitLength: p.bitLength,
    },
    trust: t.trust,
    api: await readRepoFile(d.home, 'api'),
    lock: await readRepoFile(d.home, 'repo.lock'),
  }
}

/** Runs `action` and checks that the node's state is the same afterwards. */
async function unchanged<T>(action: () => Promise<T>): Promise<T> {
  const before = await snapshot(a)
  const result = await action()
  expect(await snapshot(a), 'state after the bad input').toEqual(before)
  return result
}

/** Exit 1: one clear line on stderr (`alara: … (ERR_…)`), nothing on stdout. */
function expectFailure(r: CliResult, message: RegExp): void {
  expect(r.code, describeRun(r)).toBe(1)
  const err = lines(r.stderr)
  expect(err, describeRun(r)).toHaveLength(1)
  expect(err[0]).toMatch(/^alara: /)
  expect(err[0]).toMatch(message)
  expect(r.stdout.trim(), describeRun(r)).toBe('')
}

/** Exit 2: the message, then the usage line; nothing on stdout. */
function expectUsage(r: CliResult, message: RegExp): void {
  expect(r.code, describeRun(r)).toBe(2)
  const err = lines(r.stderr)
  expect(err.length, describeRun(r)).toBeGreaterThanOrEqual(2)
  expect(err[0]).toMatch(/^alara: /)
  expect(err[0]).toMatch(message)
  expect(r.stderr).toMatch(/^usage: alara /m)
  expect(r.stdout.trim(), describeRun(r)).toBe('')
}

/** Exit 1 or 2 as CLI.md allows (failure or wrong usage), with a clear first line. */
function expectRefused(r: CliResult, message: RegExp): void {
  if (r.code === 2) expectUsage(r, message)
  else expectFailure(r, message)
}

async function waitExit(d: DaemonProcess, timeoutMs = 30_000): Promise<ExitInfo> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`daemon still running after ${timeoutMs} ms: ${d.describe()}`)),
      timeoutMs,
    )
  })
  try {
    return await Promise.race([d.exited, timeout])
  } finally {
    clearTimeout(timer)
  }
}

describe('bad input on the command line', () => {
  it('inject --bits with characters other than 0 and 1', async () => {
    const r = await unchanged(() => runCli(a.home, ['inject', '--bits', '0102']))
    expectUsage(r, /--bits/)
  })

  it.each([
    ['abc', 'an odd number of digits'],
    ['0g', 'a non-hex digit'],
  ])('inject --hex %s (%s)', async (hex) => {
    const r = await unchanged(() => runCli(a.home, ['inject', '--hex', hex]))
    expectUsage(r, /--hex|hex/)
  })

  it.each(['1.5', '-0.1', 'abc'])('trust set PEER %s (outside [0, 1])', async (level) => {
    const peer = randomPeerId()
    const r = await unchanged(() => runCli(a.home, ['trust', 'set', peer, level]))
    expectUsage(r, /level|\[0, ?1\]/)
  })

  it.each(['notapeer', 'not-a-peer', '12D3KooWshort'])(
    'trust set and trust rm of an invalid peer id (%s)',
    async (peer) => {
      const set = await unchanged(() => runCli(a.home, ['trust', 'set', peer, '0.5']))
      expectRefused(set, /peer ?id/i)
      const rm = await unchanged(() => runCli(a.home, ['trust', 'rm', peer]))
      expectRefused(rm, /peer ?id/i)
    },
  )

  it('trust rm of a peer that is not in the trust store', async () => {
    const peer = randomPeerId()
    const r = await unchanged(() => runCli(a.home, ['trust', 'rm', peer]))
    expectFailure(r, /not in the trust store/)
    expect(r.stderr).toContain(peer)
  })

  it('inject --file of a missing file', async () => {
    const missing = `${a.home}/no-such-dir/entropy.bin`
    const r = await unchanged(() => runCli(a.home, ['inject', '--file', missing]))
    expectFailure(r, /no such file|not found|cannot read/i)
    expect(r.stderr).toContain(missing)
  })

  it('inject of bits that fail the repetition count test (64 zeros) stores nothing', async () => {
    const r = await unchanged(() => runCli(a.home, ['inject', '--bits', '0'.repeat(64)]))
    expectFailure(r, /repetition count/i)
  })

  it('inject of bits that fail the adaptive proportion test (768 of 1024 alike) stores nothing', async () => {
    // runs of three: the repetition count test passes, the proportion test does not
    const r = await unchanged(() => runCli(a.home, ['inject', '--bits', '1110'.repeat(256)]))
    expectFailure(r, /adaptive proportion/i)
  })

  it('a command on a home without a daemon says so and how to start one', async () => {
    const empty = await h.home('empty')
    const r = await runCli(empty, ['pool'])
    expectFailure(r, /no ALARA daemon/i)
    expect(r.stderr).toContain('alara daemon')
    expect(r.stderr).toContain(empty)
  })
})

describe('bad daemon starts', () => {
  it('a busy API port: the second daemon fails naming the port, exit 1', async () => {
    const port = new URL(a.apiUrl).port
    const other = await h.home('busy-port')
    // an initialised repo, so the only stderr line is the failure
    await cliJson(other, ['init', '--network', h.network])
    const second = await unchanged(async () => {
      const d = h.spawn({ home: other, api: `127.0.0.1:${port}` })
      await waitExit(d)
      return d
    })
    const exit = await second.exited
    expect(exit.code, second.describe()).toBe(1)
    const err = lines(second.stderr)
    expect(err, second.describe()).toHaveLength(1)
    expect(err[0]).toContain(port)
    expect(err[0]).toMatch(/in use/i)
    expect(second.stdout).not.toMatch(/ready/)
    // it leaves nothing behind: no API file, no lock
    expect(await readRepoFile(other, 'api')).toBeUndefined()
    expect(await readRepoFile(other, 'repo.lock')).toBeUndefined()
  })

  it('two daemons on one home: the second is refused with ERR_REPO_LOCKED', async () => {
    const second = await unchanged(async () => {
      const d = h.spawn({ home: a.home })
      await waitExit(d)
      return d
    })
    const exit = await second.exited
    expect(exit.code, second.describe()).toBe(1)
    const err = lines(second.stderr)
    expect(err, second.describe()).toHaveLength(1)
    expect(err[0]).toMatch(/ERR_REPO_LOCKED/)
    expect(err[0]).toContain(String(a.pid))
    expect(a.running).toBe(true)
    expect((await readRepoFile(a.home, 'repo.lock'))?.trim()).toBe(String(a.pid))
  })
})

describe('bad requests to the control API', () => {
  const inject = JSON.stringify({ bits: randomBits(32) })

  it('healthz needs no token', async () => {
    const r = await apiRequest(a.apiUrl, 'GET', '/v1/healthz')
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ ok: true, peerId: a.peerId, pid: a.pid })
  })

  it.each([
    ['no token', undefined],
    ['a wrong token', 'Bearer 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'],
    ['a token without Bearer', 'TOKEN'],
  ])('%s: 401 ERR_UNAUTHORIZED', async (_what, authorization) => {
    const token = await readToken(a.home)
    const auth = authorization === 'TOKEN' ? token : authorization
    for (const [method, path, rawBody] of [
      ['GET', '/v1/pool', undefined],
      ['POST', '/v1/inject', inject],
    ] as const) {
      const r = await unchanged(() =>
        apiRequest(a.apiUrl, method, path, { authorization: auth, rawBody }),
      )
      expect(r.status, `${method} ${path}: ${r.text}`).toBe(401)
      expect(r.body).toEqual({
        error: { code: 'ERR_UNAUTHORIZED', message: expect.any(String) },
      })
    }
  })

  it('a body that is not JSON: 400 ERR_BAD_REQUEST', async () => {
    const authorization = `Bearer ${await readToken(a.home)}`
    const r = await unchanged(() =>
      apiRequest(a.apiUrl, 'POST', '/v1/inject', { authorization, rawBody: '{"bits": "0101' }),
    )
    expect(r.status, r.text).toBe(400)
    expect(r.body).toEqual({ error: { code: 'ERR_BAD_REQUEST', message: expect.any(String) } })
  })

  it.each([
    ['bits that are not bits', { bits: '0102' }],
    ['two sources', { bits: '0110', hex: 'ab' }],
    ['no source', {}],
    ['an unknown field', { entropy: '0110' }],
    ['odd hex', { hex: 'abc' }],
  ])('an inject body with %s: 400', async (_what, body) => {
    const authorization = `Bearer ${await readToken(a.home)}`
    const r = await unchanged(() =>
      apiRequest(a.apiUrl, 'POST', '/v1/inject', {
        authorization,
        rawBody: JSON.stringify(body),
      }),
    )
    expect(r.status, r.text).toBe(400)
    expect(r.body).toEqual({
      error: {
        code: expect.stringMatching(/^ERR_(BAD_REQUEST|INVALID_INPUT)$/),
        message: expect.any(String),
      },
    })
  })
})
