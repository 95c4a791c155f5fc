import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKey } from '@libp2p/pnet'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { KeyExchangeFailedError, NetworkKeyError } from '../errors.js'
import { isHandshakeFailure, keyRefusalOf, OnceSet } from '../p2p/closed-network.js'
import {
  formatNetworkKey,
  generateNetworkKey,
  initNetworkKey,
  loadRepoNetworkKey,
  parseNetworkKey,
  pskOf,
  readNetworkKeyFile,
} from './network-key.js'
import { initRepo, openRepo } from './repo.js'

const dirs: string[] = []
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'alara-netkey-'))
  dirs.push(dir)
  return dir
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

const HEX = 'dffb7e3135399a8b1612b2aaca1c36a3a8ac2cd0cca51ceeb2ced87d308cac6d'

describe('network key format', () => {
  it('round-trips every 32-byte key through the swarm-key text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
        const text = formatNetworkKey(key)
        expect(text).toMatch(/^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/)
        expect(parseNetworkKey(text)).toEqual(key)
      }),
    )
  })

  it("reads and writes the text @libp2p/pnet generates (kubo's format)", () => {
    const swarmKey = new Uint8Array(95)
    generateKey(swarmKey)
    const text = new TextDecoder().decode(swarmKey)
    const key = parseNetworkKey(text)
    expect(key).toHaveLength(32)
    expect(formatNetworkKey(key)).toBe(`${text}\n`)
    expect(new TextDecoder().decode(pskOf(key))).toBe(`${text}\n`)
    expect(generateNetworkKey()).not.toEqual(generateNetworkKey())
  })

  it('accepts upper-case hex, CRLF and a missing final newline', () => {
    const key = parseNetworkKey(`/key/swarm/psk/1.0.0/\r\n/base16/\r\n${HEX.toUpperCase()}`)
    expect(Buffer.from(key).toString('hex')).toBe(HEX)
  })

  it.each([
    ['empty', ''],
    ['one line of hex', HEX],
    ['another header', `/key/swarm/psk/2.0.0/\n/base16/\n${HEX}\n`],
    ['base64', `/key/swarm/psk/1.0.0/\n/base64/\n${Buffer.from(HEX, 'hex').toString('base64')}\n`],
    ['31 bytes', `/key/swarm/psk/1.0.0/\n/base16/\n${HEX.slice(2)}\n`],
    ['33 bytes', `/key/swarm/psk/1.0.0/\n/base16/\n${HEX}00\n`],
    ['not hex', `/key/swarm/psk/1.0.0/\n/base16/\n${'zz'.repeat(32)}\n`],
    ['trailing text', `/key/swarm/psk/1.0.0/\n/base16/\n${HEX}\nmore\n`],
    ['spaces', `/key/swarm/psk/1.0.0/\n/base16/\n ${HEX}\n`],
  ])('refuses %s with ERR_BAD_NETWORK_KEY', (_label, text) => {
    expect(() => parseNetworkKey(text, 'f.key')).toThrow(NetworkKeyError)
    expect(() => parseNetworkKey(text, 'f.key')).toThrow(/f\.key is not a network key/)
  })

  it('refuses to format a key of another length', () => {
    expect(() => formatNetworkKey(new Uint8Array(16))).toThrow(NetworkKeyError)
  })

  it('refuses a missing, oversized or directory key file', async () => {
    const dir = await tempDir()
    await expect(readNetworkKeyFile(join(dir, 'none'))).rejects.toThrow(/cannot read/)
    await expect(readNetworkKeyFile(dir)).rejects.toThrow(/is not a file/)
    await writeFile(join(dir, 'big'), 'x'.repeat(5000))
    await expect(readNetworkKeyFile(join(dir, 'big'))).rejects.toThrow(/is not a network key/)
  })
})

describe('init with a network key', () => {
  it('--new-network-key writes network.key with mode 0600 and openRepo reads it', async () => {
    const home = join(await tempDir(), 'repo')
    const r = await initRepo(home, { newNetworkKey: true })
    expect(r.closed).toBe(true)
    expect(r.networkKeyFile).toBe(join(home, 'network.key'))
    expect((await stat(join(home, 'network.key'))).mode & 0o777).toBe(0o600)
    const repo = await openRepo(home)
    expect(repo.networkKey).toEqual(
      parseNetworkKey(await readFile(join(home, 'network.key'), 'utf8')),
    )
  })

  it('--network-key imports the same key; an open repo has none', async () => {
    const root = await tempDir()
    await initRepo(join(root, 'a'), { newNetworkKey: true })
    const b = await initRepo(join(root, 'b'), { networkKeyFile: join(root, 'a', 'network.key') })
    expect(b.closed).toBe(true)
    expect((await openRepo(join(root, 'b'))).networkKey).toEqual(
      (await openRepo(join(root, 'a'))).networkKey,
    )
    const c = await initRepo(join(root, 'c'))
    expect(c.closed).toBe(false)
    expect(await loadRepoNetworkKey(join(root, 'c'))).toBeUndefined()
  })

  it("a repo whose network.key is malformed does not open (the daemon won't start open)", async () => {
    const home = join(await tempDir(), 'repo')
    await initRepo(home)
    await writeFile(join(home, 'network.key'), 'garbage\n')
    await expect(openRepo(home)).rejects.toThrow(/network\.key is not a network key/)
  })

  it('a malformed key file writes nothing at all', async () => {
    const root = await tempDir()
    await writeFile(join(root, 'bad'), 'not a key\n')
    await expect(
      initRepo(join(root, 'repo'), { networkKeyFile: join(root, 'bad') }),
    ).rejects.toThrow(NetworkKeyError)
    expect(await readdir(root)).toEqual(['bad'])
  })

  it('an existing repo gets a key; another key replaces it only with force', async () => {
    const root = await tempDir()
    const home = join(root, 'repo')
    const first = await initRepo(home)
    const added = await initRepo(home, { newNetworkKey: true })
    expect(added.created).toBe(false)
    expect(added.peerId).toBe(first.peerId)
    expect(added.closed).toBe(true)
    const key = await loadRepoNetworkKey(home)
    await expect(initRepo(home, { newNetworkKey: true })).rejects.toThrow(/already holds/)
    expect(await loadRepoNetworkKey(home)).toEqual(key)
    // the same key again is no change
    await initRepo(home, { networkKeyFile: join(home, 'network.key') })
    await expect(
      initNetworkKey(home, { newNetworkKey: true, networkKeyFile: 'x' }),
    ).rejects.toThrow(/not both/)
  })
})

describe('key refusals', () => {
  it('translate a failed handshake, wrapped or not, and nothing else', () => {
    const enc = Object.assign(new Error('read ECONNRESET'), { name: 'EncryptionFailedError' })
    expect(isHandshakeFailure(enc)).toBe(true)
    expect(isHandshakeFailure(new AggregateError([new Error('x'), enc]))).toBe(true)
    expect(isHandshakeFailure(new KeyExchangeFailedError('no nonce'))).toBe(true)
    expect(isHandshakeFailure(new Error('connect ECONNREFUSED'))).toBe(false)
    const wrongPeer = Object.assign(
      new Error('Payload identity key X does not match expected remote identity key Y'),
      { name: 'EncryptionFailedError' },
    )
    expect(isHandshakeFailure(wrongPeer)).toBe(false)
    expect(keyRefusalOf(enc, false)).toMatch(/closed network and this node does not hold its key/)
    expect(keyRefusalOf(enc, true)).toMatch(/not on this closed network/)
    expect(keyRefusalOf(new Error('timeout'), true)).toBeUndefined()
    // a handshake cut off by the dial's deadline: still a refusal (the usual way a peer
    // without the key fails), which says that overload can look the same
    for (const message of ['The operation was aborted', 'network key exchange failed: Timed out']) {
      const timedOut = Object.assign(new Error(message), { name: 'EncryptionFailedError' })
      expect(keyRefusalOf(timedOut, true)).toMatch(
        /not on this closed network.*timed out.*overloaded/,
      )
      expect(keyRefusalOf(new KeyExchangeFailedError(message), false)).toMatch(/timed out/)
    }
    expect(keyRefusalOf(enc, true)).not.toMatch(/timed out/)
  })

  it('are logged once per peer until it connects', () => {
    const once = new OnceSet(2)
    expect(once.first('a')).toBe(true)
    expect(once.first('a')).toBe(false)
    once.forget('a')
    expect(once.first('a')).toBe(true)
    expect(once.first('b')).toBe(true)
    // bounded: past the limit it starts over rather than grow
    expect(once.first('c')).toBe(true)
    expect(once.first('a')).toBe(true)
  })
})
