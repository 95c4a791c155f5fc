import { spawn } from 'node:child_process'
import { readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { afterAll, describe, expect, it } from 'vitest'
import { cliJson, describeRun, lines, runCli } from './helpers/cli.js'
import type { DaemonProcess } from './helpers/daemon.js'
import {
  consensusOf,
  epochsOf,
  idsOf,
  injectRounds,
  statusOf,
  waitFinal,
} from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { makeHome, readRepoFile } from './helpers/home.js'
import { peersOf, waitConnected } from './helpers/network.js'
import { CLI_BIN, childEnv } from './helpers/paths.js'
import { waitFor } from './helpers/wait.js'

/**
 * Closed networks (docs/OPERATIONS.md "Network key"): nodes holding the same network.key
 * connect and agree; a node without it, a node with another key and a plain libp2p peer
 * cannot connect, and `alara connect` says why in one line; a malformed key file is
 * refused by `alara init` before anything is written; `alara devnet --closed` gives its
 * nodes one key.
 */

const h = new Harness('closed', { finalMs: 6_000 })
afterAll(() => h.cleanup())

interface InitJson {
  home: string
  peerId: string
  closed: boolean
  networkKeyFile?: string
}

const KEY_TEXT = /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/

async function initHome(args: string[]): Promise<string> {
  const home = await h.home('closed')
  await cliJson<InitJson>(home, ['init', '--network', h.network, ...args])
  return home
}

const connected = async (d: DaemonProcess): Promise<string[]> =>
  (await peersOf(d)).filter((p) => p.connected).map((p) => p.peerId)

// the three share nothing but the harness (the devnet on a network name of its own), and
// the first two mostly wait (start-up, finality): run at once
describe.concurrent('closed network', () => {
  it('key holders agree; no key, another key or a raw libp2p peer cannot connect', async () => {
    const homeA = await initHome(['--new-network-key'])
    const keyFile = join(homeA, 'network.key')
    expect(await readRepoFile(homeA, 'network.key')).toMatch(KEY_TEXT)
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600)
    const homeB = await initHome(['--network-key', keyFile])
    expect(await readRepoFile(homeB, 'network.key')).toBe(await readRepoFile(homeA, 'network.key'))
    const homeC = await initHome([])
    const homeD = await initHome(['--new-network-key'])

    const [a, b, c, d] = await Promise.all(
      [homeA, homeB, homeC, homeD].map((home) => h.start({ home })),
    )
    if (a === undefined || b === undefined || c === undefined || d === undefined)
      throw new Error('four daemons expected')

    const idA = await cliJson<{ closed: boolean }>(a.home, ['id'])
    expect(idA.closed).toBe(true)
    expect((await statusOf(a)).closed).toBe(true)
    expect((await statusOf(c)).closed).toBe(false)

    await cliJson(b.home, ['connect', a.multiaddr])
    await waitConnected(a, [b])

    // without the key: one clear line, exit 1, no connection on either side
    const refusals: Array<[DaemonProcess, DaemonProcess, RegExp]> = [
      [c, a, /closed network and this node does not hold its key/],
      [d, a, /closed network|not on this closed network/],
      [a, c, /not on this closed network/],
    ]
    for (const [from, to, why] of refusals) {
      const r = await runCli(from.home, ['connect', to.multiaddr], { json: false })
      expect(r.code, describeRun(r)).toBe(1)
      expect(lines(r.stderr), describeRun(r)).toHaveLength(1)
      expect(r.stderr, describeRun(r)).toMatch(why)
      expect(r.stderr).toMatch(/ERR_NETWORK_KEY_MISMATCH/)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }

    // a plain libp2p peer (no key) cannot either
    const raw = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
    })
    try {
      await expect(
        raw.dial(multiaddr(a.multiaddr), { signal: AbortSignal.timeout(10_000) }),
      ).rejects.toThrow()
      expect(raw.getPeers()).toHaveLength(0)
    } finally {
      await raw.stop()
    }

    // the members agree on epochs with contributions
    const injected = await injectRounds([a, b], 2)
    const epochs = epochsOf(injected)
    const last = epochs[epochs.length - 1] as number
    await waitFinal([a, b], last, h.timing)
    for (const node of [a, b]) {
      const listing = await consensusOf(node)
      for (const r of epochs) {
        const e = listing.find((x) => x.epoch === r)
        expect(e?.status, `epoch ${r} on ${node.peerId}`).toBe('agreed')
        expect(e?.count, `epoch ${r} on ${node.peerId}`).toBe(idsOf(injected, r).length)
      }
    }

    expect(await connected(a)).toEqual([b.peerId])
    expect(await connected(b)).toEqual([a.peerId])
    expect(await connected(c)).toEqual([])
    expect(await connected(d)).toEqual([])
  })

  it('init refuses a malformed key file and writes nothing', async () => {
    // not h.home(): it may write a config.json; this directory must hold only the bad key
    const dir = await makeHome('bad-key')
    h.homes.push(dir)
    const bad = join(dir, 'bad.key')
    await writeFile(bad, '/key/swarm/psk/1.0.0/\n/base16/\nnot-hex\n')
    const home = join(dir, 'repo')
    const r = await runCli(home, ['init', '--network-key', bad], { json: false })
    expect(r.code, describeRun(r)).toBe(1)
    expect(lines(r.stderr)).toHaveLength(1)
    expect(r.stderr).toMatch(/is not a network key/)
    expect(await readdir(dir)).toEqual(['bad.key'])

    const missing = await runCli(home, ['init', '--network-key', join(dir, 'nope')], {
      json: false,
    })
    expect(missing.code, describeRun(missing)).toBe(1)
    expect(await readdir(dir)).toEqual(['bad.key'])
  })

  it('devnet --closed gives its nodes one key, and they agree', async () => {
    const child = spawn(
      process.execPath,
      [CLI_BIN, 'devnet', '--closed', '--nodes', '2', '--network', `${h.network}-devnet`, '--json'],
      { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    try {
      const line = await waitFor(
        () => out,
        (text) => text.includes('\n'),
        { what: 'the devnet --json line', timeoutMs: 120_000 },
      ).then((text) => text.split('\n')[0])
      const devnet = JSON.parse(line as string) as {
        root: string
        closed: boolean
        nodes: Array<{ home: string; peerId: string }>
      }
      expect(devnet.closed).toBe(true)
      const [k0, k1] = await Promise.all(
        devnet.nodes.map((n) => readRepoFile(n.home, 'network.key')),
      )
      expect(k0).toMatch(KEY_TEXT)
      expect(k1).toBe(k0)
      const nodes = devnet.nodes.map((n) => ({ home: n.home, peerId: n.peerId }))
      for (const n of nodes)
        expect((await cliJson<{ closed: boolean }>(n.home, ['status'])).closed).toBe(true)
      // the two agree on an epoch with contributions (both in one epoch: two injections
      // that straddle a boundary on a busy machine are made again)
      let r = -1
      for (let tries = 0; r < 0; tries++) {
        const epochs = await Promise.all(
          nodes.map(
            async (n) =>
              (await cliJson<{ epoch: number }>(n.home, ['inject', '--random', '64'])).epoch,
          ),
        )
        if (epochs.every((e) => e === epochs[0])) r = epochs[0] as number
        else expect(tries, 'injections in one epoch').toBeLessThan(5)
      }
      await waitFor(
        async () => {
          const all = await Promise.all(
            nodes.map(async (n) =>
              (
                await cliJson<{ epochs: Array<{ epoch: number; status: string; count: number }> }>(
                  n.home,
                  ['consensus', '--epochs', '60'],
                )
              ).epochs.find((e) => e.epoch === r),
            ),
          )
          return all
        },
        (all) => all.every((e) => e?.status === 'agreed' && e.count >= 2),
        { what: `devnet epoch ${r} agreed with both contributions`, timeoutMs: 60_000 },
      )
    } finally {
      // the devnet stops its nodes and removes its homes on SIGTERM
      child.kill('SIGTERM')
      await exited
    }
  })
})
