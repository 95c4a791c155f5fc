import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { DEFAULT_CONFIG } from '@alara/daemon/defaults'
import { Command } from 'commander'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { run } from '../cli.js'
import type { Io, StopSignal } from '../io.js'
import { applyEnv, daemonOptions, daemonOverrides } from './daemon-options.js'

/** An in-memory process surface whose stop signal the test sends. */
function memIo(env: NodeJS.ProcessEnv) {
  const out: string[] = []
  const err: string[] = []
  let handler: ((s: StopSignal) => void) | undefined
  const io: Io = {
    stdout: { write: (c) => out.push(String(c)) },
    stderr: { write: (c) => err.push(String(c)) },
    stdin: Readable.from([]),
    env,
    onStopSignal: (h) => {
      handler = h
      return () => {
        handler = undefined
      }
    },
    // the daemon's exit grace timer may fire after the test: nothing to do then
    exit: (() => undefined) as unknown as Io['exit'],
  }
  return {
    io,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    signal: () => handler?.('SIGINT'),
  }
}

/** `alara daemon` options alone, parsed from `argv` with `env` applied as run() does. */
function parsed(argv: string[], env: NodeJS.ProcessEnv, globalApi?: string) {
  const cmd = new Command('daemon').exitOverride()
  for (const option of daemonOptions()) cmd.addOption(option)
  cmd.action(() => {})
  cmd.parse(argv, { from: 'user' })
  applyEnv(cmd, env)
  return daemonOverrides(cmd, globalApi)
}

let home: string
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'alara-env-'))
})
afterAll(async () => {
  await rm(home, { recursive: true, force: true })
})

describe('alara daemon: ALARA_* environment variables', () => {
  it('runs a daemon configured by the environment alone', async () => {
    const m = memIo({
      ALARA_HOME: home,
      ALARA_NETWORK: 'env-test',
      ALARA_LISTEN: '/ip4/127.0.0.1/tcp/0, /ip4/127.0.0.1/tcp/0',
      ALARA_API: '127.0.0.1:0',
      ALARA_METRICS: '127.0.0.1:0',
      ALARA_PUBLIC_API: '127.0.0.1:0',
      ALARA_EPOCH_MS: '2000',
      ALARA_NO_MDNS: '1',
    })
    const done = run(['daemon', '--json'], m.io)
    await vi.waitFor(
      () => {
        if (!m.stdout().includes('"event":"ready"'))
          throw new Error(`no ready line; stderr: ${m.stderr()}`)
      },
      { timeout: 60_000 },
    )
    const ready = JSON.parse(m.stdout().trim().split('\n')[0] as string)
    expect(ready).toMatchObject({
      network: 'env-test',
      apiUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      metricsUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      publicApiUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    })
    expect(ready.addresses.filter((a: string) => a.startsWith('/ip4/127.0.0.1/tcp/'))).toHaveLength(
      2,
    )
    const metrics = await fetch(`${ready.metricsUrl}/metrics`)
    expect(metrics.status).toBe(200)
    expect(await metrics.text()).toMatch(/^alara_current_epoch \d+$/m)
    m.signal()
    expect(await done).toBe(0)
    // the variables are for this run: config.json keeps only what a new repo writes
    const config = JSON.parse(await readFile(join(home, 'config.json'), 'utf8'))
    for (const key of ['epochMs', 'metrics', 'publicApi', 'listen', 'api', 'mdns'])
      expect(config).not.toHaveProperty(key)
  }, 90_000)

  it('refuses a bad variable with exit 2, naming it, before anything starts', async () => {
    const m = memIo({ ALARA_HOME: home, ALARA_EPOCH_MS: 'soon' })
    expect(await run(['daemon'], m.io)).toBe(2)
    expect(m.stderr()).toMatch(
      /ALARA_EPOCH_MS='soon' is invalid\. expected a (positive )?whole number/,
    )
    const bad = memIo({ ALARA_HOME: home, ALARA_LISTEN: '/ip4/127.0.0.1/tcp/0,nonsense' })
    expect(await run(['daemon'], bad.io)).toBe(2)
    expect(bad.stderr()).toMatch(/ALARA_LISTEN=/)
  })

  it('flags beat variables; only what is given overrides config.json', () => {
    expect(parsed([], {})).toEqual({})
    expect(
      parsed(['--epoch-ms', '3000'], {
        ALARA_EPOCH_MS: '2000',
        ALARA_BOOTSTRAP:
          '/ip4/10.0.0.1/tcp/4590/p2p/12D3KooWGzBnHAHh2MDFZ9qS7fBEQxQmhVaWPA8VD7qtdVbUXVx5',
        ALARA_API: '127.0.0.1:6000',
        ALARA_NO_MDNS: '1',
      }),
    ).toEqual({
      epochMs: 3000,
      bootstrap: [
        '/ip4/10.0.0.1/tcp/4590/p2p/12D3KooWGzBnHAHh2MDFZ9qS7fBEQxQmhVaWPA8VD7qtdVbUXVx5',
      ],
      api: '127.0.0.1:6000',
      mdns: false,
    })
    // the admission rounds: a flag, a variable, or nothing (config.json and the defaults)
    expect(
      parsed(['--round-ms', '300'], { ALARA_ROUND_MS: '100', ALARA_BYZANTINE_ROUNDS: '2' }),
    ).toEqual({ roundMs: 300, byzantineRounds: 2 })
    expect(parsed(['--byzantine-rounds', '0'], {})).toEqual({ byzantineRounds: 0 })
    // across the internet: each flag and its variable
    expect(
      parsed(['--relay', '--relay-max-reservations', '4', '--no-hole-punch'], {
        ALARA_RELAY_MAX_DURATION_MS: '60000',
        ALARA_RELAY_MAX_DATA_BYTES: '1048576',
        ALARA_RELAY_RESERVATIONS: '0',
        ALARA_UPNP: '1',
      }),
    ).toEqual({
      relay: true,
      relayMaxReservations: 4,
      relayMaxDurationMs: 60_000,
      relayMaxDataBytes: 1_048_576,
      relayReservations: 0,
      holePunch: false,
      upnp: true,
    })
    expect(parsed([], { ALARA_RELAY: '1', ALARA_NO_HOLE_PUNCH: '1' })).toEqual({
      relay: true,
      holePunch: false,
    })
    // the global --api (given on the command line) wins over ALARA_API
    expect(parsed([], { ALARA_API: '127.0.0.1:6000' }, '127.0.0.1:7000').api).toBe('127.0.0.1:7000')
  })

  it('--help shows the defaults of the config module and the variables', async () => {
    const m = memIo({})
    await run(['daemon', '--help'], m.io)
    const help = m.stdout().replace(/\s+/g, ' ')
    expect(help).toContain(`(default: ${DEFAULT_CONFIG.api})`)
    expect(help).toContain(`(default: ${DEFAULT_CONFIG.epochMs})`)
    expect(help).toContain(`(default: ${DEFAULT_CONFIG.listen.join(',')})`)
    for (const name of [
      'ALARA_NETWORK',
      'ALARA_LISTEN',
      'ALARA_BOOTSTRAP',
      'ALARA_API',
      'ALARA_PUBLIC_API',
      'ALARA_METRICS',
      'ALARA_EPOCH_MS',
      'ALARA_ROUND_MS',
      'ALARA_BYZANTINE_ROUNDS',
      'ALARA_NO_MDNS',
      'ALARA_RELAY',
      'ALARA_RELAY_MAX_RESERVATIONS',
      'ALARA_RELAY_MAX_DURATION_MS',
      'ALARA_RELAY_MAX_DATA_BYTES',
      'ALARA_RELAY_RESERVATIONS',
      'ALARA_NO_HOLE_PUNCH',
      'ALARA_UPNP',
    ])
      expect(help).toContain(`(env: ${name})`)
  })
})
