import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI_BIN, childEnv } from './helpers/paths.js'
import { waitFor } from './helpers/wait.js'

/**
 * mDNS on a real LAN: three network namespaces joined by a bridge (veth pairs, private
 * addresses 10.231.N.1-3/24), one daemon in each with the defaults (mDNS on, TCP 4590,
 * API on the namespace's own 127.0.0.1:5890). They must find each other by multicast
 * alone, connect, and agree on an epoch that holds an injection. The CLI runs inside each
 * namespace too, since the control API is on that namespace's loopback.
 *
 * Creating namespaces needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2; CI
 * here runs as root. Elsewhere the test is skipped and says why.
 */

const run = promisify(execFile)
const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p))
const isRoot = process.getuid?.() === 0
const skipReason =
  IP === undefined
    ? 'iproute2 (ip) is not installed'
    : !isRoot
      ? 'creating network namespaces needs root'
      : undefined

// Names unique to this run, so concurrent runs on one machine do not collide.
const tag = (process.pid % 10_000).toString(36)
const subnet = 10 + (process.pid % 200)
const bridge = `alrbr${tag}`
const spaces = [1, 2, 3].map((i) => ({
  ns: `alara-${tag}-${i}`,
  veth: `alr${tag}v${i}`,
  ip: `10.231.${subnet}.${i}`,
}))

async function ip(...args: string[]): Promise<void> {
  await run(IP as string, args, { timeout: 10_000 })
}

async function buildLan(): Promise<void> {
  await ip('link', 'add', bridge, 'type', 'bridge')
  await ip('link', 'set', bridge, 'type', 'bridge', 'mcast_snooping', '0')
  await ip('link', 'set', bridge, 'up')
  for (const s of spaces) {
    await ip('netns', 'add', s.ns)
    await ip('link', 'add', s.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', s.ns)
    await ip('link', 'set', s.veth, 'master', bridge, 'up')
    await ip('-n', s.ns, 'addr', 'add', `${s.ip}/24`, 'dev', 'eth0')
    await ip('-n', s.ns, 'link', 'set', 'eth0', 'up')
    await ip('-n', s.ns, 'link', 'set', 'lo', 'up')
    // mDNS sends to 224.0.0.251: without a route the send fails with ENETUNREACH
    await ip('-n', s.ns, 'route', 'add', 'default', 'dev', 'eth0')
  }
}

async function tearDownLan(): Promise<void> {
  for (const s of spaces) await ip('netns', 'del', s.ns).catch(() => undefined)
  await ip('link', 'del', bridge).catch(() => undefined)
}

interface CliOut {
  code: number
  stdout: string
  stderr: string
}

/** `alara --home HOME ARGS… --json` run inside a namespace. */
async function cliIn(ns: string, home: string, args: string[]): Promise<unknown> {
  const out: CliOut = await new Promise((resolve) => {
    execFile(
      IP as string,
      ['netns', 'exec', ns, process.execPath, CLI_BIN, '--home', home, ...args, '--json'],
      { env: childEnv(), timeout: 20_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
  if (out.code !== 0) throw new Error(`alara ${args.join(' ')} in ${ns}: ${out.stderr.trim()}`)
  return JSON.parse(out.stdout)
}

const daemons: ChildProcess[] = []
let root = ''

describe.skipIf(skipReason !== undefined)('LAN of network namespaces', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'alara-lan-'))
    await tearDownLan()
    await buildLan()
  }, 60_000)

  afterAll(async () => {
    for (const d of daemons) d.kill('SIGKILL')
    await tearDownLan()
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('three daemons with the defaults find each other by mDNS and agree', async () => {
    const homes = spaces.map((s) => join(root, s.ns))
    const ready: Array<Promise<void>> = []
    for (const [i, s] of spaces.entries()) {
      // the defaults, but for a short epoch so that agreement shows within seconds
      const child = spawn(
        IP as string,
        [
          'netns',
          'exec',
          s.ns,
          process.execPath,
          CLI_BIN,
          '--home',
          homes[i] as string,
          'daemon',
          '--epoch-ms',
          '1000',
        ],
        { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
      )
      daemons.push(child)
      ready.push(
        new Promise((resolve, reject) => {
          let seen = ''
          child.stdout?.on('data', (chunk: Buffer) => {
            seen += chunk.toString()
            if (seen.includes('ready')) resolve()
          })
          child.once('exit', (code) =>
            reject(new Error(`daemon in ${s.ns} exited (${code}): ${seen}`)),
          )
        }),
      )
    }
    await Promise.all(ready)
    const ids = await Promise.all(
      spaces.map(
        async (s, i) => (await cliIn(s.ns, homes[i] as string, ['id'])) as { peerId: string },
      ),
    )

    type Peer = { peerId: string; connected: boolean; addresses: string[] }
    for (const [i, s] of spaces.entries()) {
      const others = ids.filter((_, j) => j !== i).map((x) => x.peerId)
      const peers = await waitFor(
        async () => (await cliIn(s.ns, homes[i] as string, ['peers'])) as Peer[],
        (list) => others.every((id) => list.some((p) => p.peerId === id && p.connected)),
        { timeoutMs: 40_000, intervalMs: 500, what: `${s.ns} connected to both others by mDNS` },
      )
      // found over the LAN, not over some other path
      for (const id of others)
        expect(
          peers.find((p) => p.peerId === id)?.addresses.some((a) => a.includes('/ip4/10.231.')),
        ).toBe(true)
    }

    const injected = (await cliIn(spaces[0]?.ns as string, homes[0] as string, [
      'inject',
      '--random',
      '256',
    ])) as {
      epoch: number
    }
    type Epoch = {
      epoch: number
      status: string
      agreement: number
      count: number
      voters: unknown[]
    }
    for (const [i, s] of spaces.entries())
      await waitFor(
        async () =>
          // 1 s epochs: a listing longer than the wait, so the epoch cannot age out of it
          (
            (await cliIn(s.ns, homes[i] as string, ['consensus', '--epochs', '120'])) as {
              epochs: Epoch[]
            }
          ).epochs,
        (epochs) =>
          epochs.some(
            (e) =>
              e.epoch === injected.epoch &&
              e.status === 'agreed' &&
              e.agreement === 1 &&
              e.count === 1 &&
              e.voters.length === 3,
          ),
        {
          timeoutMs: 30_000,
          intervalMs: 500,
          what: `${s.ns} agreed with all three on epoch ${injected.epoch}`,
        },
      )
  })
})

if (skipReason !== undefined)
  describe('LAN of network namespaces', () => {
    it.skip(`skipped: ${skipReason}`, () => {})
  })
