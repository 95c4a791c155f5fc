import { describe, expect, it } from 'vitest'
import { alara, PEER, serveFakeDaemon } from './cli.fixtures.js'

// same ALARA_HOME as the API tests: a case that did reach the API gets the fake, not a real daemon
serveFakeDaemon()

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
