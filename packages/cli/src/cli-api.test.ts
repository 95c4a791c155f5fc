import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ANSWERS, alara, home, memIo, PEER, seen, serveFakeDaemon } from './cli.fixtures.js'
import { run } from './cli.js'

serveFakeDaemon()

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
      /^PEER\s+CONNECTED\s+CONNECTION\s+TRUST\s+ACTIVE\s+CONTRIBUTIONS\s+LAST SEEN\s+AGREED\/VOTED\s+LAST VOTE$/,
    )
    expect(r.stdout).toMatch(
      new RegExp(
        `^${PEER}\\s+yes\\s+relayed since 1m ago\\s+0\\.80\\s+yes\\s+3\\s+never\\s+3/4\\s+6$`,
        'm',
      ),
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
    expect(r.stderr).toMatch(/does not match what its stored signed .* \(ERR_BEACON_MISMATCH\)\n$/)
  })

  it('beacon of an empty epoch says so', async () => {
    const r = await alara(['beacon', '4'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^beacon\s+\(none: no member committed\)$/m)
    expect(r.stdout).toMatch(/^status\s+none$/m)
    expect(r.stdout).toMatch(/^poolBeacon\s+\(none: no contributions\)$/m)
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
