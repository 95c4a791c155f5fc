import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bootstrapAddress, Devnet, devnetPorts } from './devnet.js'
import { CliError } from './errors.js'

const PEER = '12D3KooWGzBnHAHh2MDFZ9qS7fBEQxQmhVaWPA8VD7qtdVbUXVx5'

/**
 * Stands in for `alara daemon --json`: records its arguments, prints a ready line and runs
 * until SIGTERM. FAKE_MODE=fail-late makes bootstrapping nodes fail, stubborn ignores SIGTERM.
 */
const FAKE_DAEMON = `
const { writeFileSync } = require('node:fs')
const args = process.argv.slice(3)
const home = args[args.indexOf('--home') + 1]
writeFileSync(home + '/args.json', JSON.stringify(args))
const mode = process.env.FAKE_MODE
if (mode === 'fail-late' && args.includes('--bootstrap')) {
  console.error('alara: something broke (ERR_TEST)')
  process.exit(3)
}
process.on('SIGTERM', () => { if (mode !== 'stubborn') process.exit(0) })
const id = '12D3KooWFake' + home.slice(-1)
console.log('noise before the ready line')
console.log(JSON.stringify({ event: 'ready', peerId: id, network: 'default', apiUrl: 'http://127.0.0.1:1', addresses: ['/ip4/127.0.0.1/tcp/4' + home.slice(-1)], home }))
setInterval(() => {}, 1000)
`

let dir: string
let fake: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alara-cli-devnet-'))
  fake = join(dir, 'fake-daemon.cjs')
  await writeFile(fake, FAKE_DAEMON)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function devnet(nodes: number, mode = '') {
  return Devnet.create({
    nodes,
    binPath: fake,
    epochMs: 500,
    readyTimeoutMs: 10_000,
    stopTimeoutMs: 300,
    env: { ...process.env, FAKE_MODE: mode },
  })
}

describe('devnet helpers', () => {
  it('spaces ports two by two from the base', () => {
    expect(devnetPorts(undefined, 3)).toEqual({ p2p: 0, api: 0 })
    expect(devnetPorts(47000, 0)).toEqual({ p2p: 47000, api: 47001 })
    expect(devnetPorts(47000, 2)).toEqual({ p2p: 47004, api: 47005 })
  })

  it('bootstraps from loopback TCP with the peer id', () => {
    const addresses = ['/ip4/10.0.0.2/tcp/1', '/ip4/127.0.0.1/tcp/2']
    expect(bootstrapAddress({ peerId: PEER, addresses })).toBe(`/ip4/127.0.0.1/tcp/2/p2p/${PEER}`)
    const withId = [`/ip4/127.0.0.1/tcp/2/p2p/${PEER}`]
    expect(bootstrapAddress({ peerId: PEER, addresses: withId })).toBe(withId[0])
  })
})

describe('devnet processes', () => {
  it('starts node 0, bootstraps the others from it, stops all and removes the homes', async () => {
    const net = await devnet(3)
    const nodes = await net.launch()
    expect(nodes.map((n) => n.index)).toEqual([0, 1, 2])
    expect(nodes.map((n) => n.peerId)).toEqual(['12D3KooWFake0', '12D3KooWFake1', '12D3KooWFake2'])
    const args0 = JSON.parse(await readFile(join(nodes[0]?.home ?? '', 'args.json'), 'utf8'))
    expect(args0).toEqual([
      '--home',
      nodes[0]?.home,
      '--json',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--api',
      '127.0.0.1:0',
      '--no-mdns',
      '--epoch-ms',
      '500',
    ])
    const args2 = JSON.parse(await readFile(join(nodes[2]?.home ?? '', 'args.json'), 'utf8'))
    expect(args2.slice(-2)).toEqual(['--bootstrap', '/ip4/127.0.0.1/tcp/40/p2p/12D3KooWFake0'])
    expect(await readFile(nodes[1]?.log ?? '', 'utf8')).toContain('noise before the ready line')
    expect(net.running).toBe(3)
    await net.stop({ keep: false })
    expect(net.running).toBe(0)
    expect(existsSync(net.root)).toBe(false)
  })

  it("fails with the node's last words and leaves nothing running", async () => {
    const net = await devnet(3, 'fail-late')
    const err = await net.launch().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CliError)
    expect((err as CliError).code).toBe('ERR_DEVNET_START')
    expect((err as CliError).message).toMatch(
      /exited before it was ready \(code 3\): something broke \(ERR_TEST\)$/,
    )
    await net.stop({ keep: true })
    expect(net.running).toBe(0)
    expect(existsSync(join(net.root, 'node0.log'))).toBe(true)
    await rm(net.root, { recursive: true, force: true })
  })

  it('kills a node that ignores SIGTERM', async () => {
    const net = await devnet(1, 'stubborn')
    await net.launch()
    const started = Date.now()
    await net.stop({ keep: false })
    expect(net.running).toBe(0)
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
  })
})
