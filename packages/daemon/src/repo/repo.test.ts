import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import type { AlaraError } from '@alara/protocol'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { resolveHome } from '../shared.js'
import { refusalOf } from '../test-helpers/refusal.js'
import { initRepo, openRepo, REPO_FILES } from './repo.js'
import { lockRepo, type RepoLock } from './repo-lock.js'

let root: string
let count = 0
/** A fresh, not yet existing repo path under the test's temp dir. */
const newHome = (): string => join(root, `home-${++count}`)

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'alara-repo-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777

const exists = async (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  )

// ---- child processes: pids that are alive, or were and are gone --------------------------

const children = new Set<ChildProcess>()

/** A node process that stays alive until killed. */
async function liveChild(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  children.add(child)
  await once(child, 'spawn')
  return child
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited
  }
  children.delete(child)
}

/** The pid of a process that ran and has exited (and was reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  const [code] = (await once(child, 'exit')) as [number | null]
  expect(code).toBe(0)
  const pid = child.pid as number
  expect(() => process.kill(pid, 0)).toThrow()
  return pid
}

afterEach(async () => {
  for (const child of [...children]) await stopChild(child)
})

// ---- resolveHome ---------------------------------------------------------------------------

describe('resolveHome', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it('takes the flag first, resolved to an absolute path', () => {
    vi.stubEnv('ALARA_HOME', '/from/env')
    expect(resolveHome('/from/flag')).toBe('/from/flag')
    expect(resolveHome('rel/home')).toBe(resolve(process.cwd(), 'rel/home'))
  })

  it('then $ALARA_HOME', () => {
    vi.stubEnv('ALARA_HOME', '/from/env')
    expect(resolveHome()).toBe('/from/env')
    expect(resolveHome(undefined)).toBe('/from/env')
  })

  it('then ~/.alara', () => {
    vi.stubEnv('ALARA_HOME', undefined)
    expect(resolveHome()).toBe(join(homedir(), '.alara'))
  })
})

// ---- initRepo ------------------------------------------------------------------------------

describe('initRepo', () => {
  it('creates identity.key and api.token (0600), config.json and a 0700 home', async () => {
    const home = newHome()
    const res = await initRepo(home)
    expect(res).toMatchObject({ home, network: 'default', created: true })
    expect(res.peerId).toMatch(/^12D3KooW[1-9A-HJ-NP-Za-km-z]+$/)

    expect(await modeOf(join(home, REPO_FILES.identity))).toBe(0o600)
    expect(await modeOf(join(home, REPO_FILES.token))).toBe(0o600)
    expect(await modeOf(home)).toBe(0o700)

    const token = await readFile(join(home, REPO_FILES.token), 'utf8')
    expect(token).toMatch(/^[0-9a-f]{64}\n$/)
    expect(JSON.parse(await readFile(join(home, REPO_FILES.config), 'utf8'))).toEqual({})

    const repo = await openRepo(home)
    expect(repo.peerId).toBe(res.peerId)
    expect(repo.token).toBe(token.trim())
    expect(repo.privateKey.type).toBe('Ed25519')
    expect(repo.config).toEqual({})
    // no daemon yet: no lock and no api file
    expect(await exists(join(home, REPO_FILES.lock))).toBe(false)
    expect(await exists(join(home, REPO_FILES.api))).toBe(false)
  })

  it('writes the network into config.json', async () => {
    const home = newHome()
    const res = await initRepo(home, { network: 'lab-1' })
    expect(res.network).toBe('lab-1')
    expect(JSON.parse(await readFile(join(home, REPO_FILES.config), 'utf8'))).toEqual({
      network: 'lab-1',
    })
    expect((await openRepo(home)).config.network).toBe('lab-1')
  })

  it('resolves a relative home', async () => {
    const home = newHome()
    expect((await initRepo(relative(process.cwd(), home))).home).toBe(home)
  })

  it('init writes the time-lock T asked for, refuses one out of range, and keeps it', async () => {
    const home = newHome()
    await expect(initRepo(home, { timelockSquarings: 100 })).rejects.toMatchObject({
      code: 'ERR_BAD_CONFIG',
    })
    const made = await initRepo(home, { timelockSquarings: 4096 })
    expect(made.timelockSquarings).toBe(4096)
    expect(JSON.parse(await readFile(join(home, REPO_FILES.config), 'utf8'))).toMatchObject({
      timelockSquarings: 4096,
    })
    expect((await initRepo(home)).timelockSquarings).toBe(4096)
  })

  it('a second init keeps the repo: created=false, same identity and token', async () => {
    const home = newHome()
    const first = await initRepo(home, { network: 'lab' })
    const key = await readFile(join(home, REPO_FILES.identity))
    const token = await readFile(join(home, REPO_FILES.token), 'utf8')

    const second = await initRepo(home)
    expect(second).toEqual({
      home,
      peerId: first.peerId,
      network: 'lab',
      timelockSquarings: 2 ** 24,
      closed: false,
      created: false,
    })
    expect(await readFile(join(home, REPO_FILES.identity))).toEqual(key)
    expect(await readFile(join(home, REPO_FILES.token), 'utf8')).toBe(token)
  })

  it('--force makes a new identity and token and keeps the config', async () => {
    const home = newHome()
    const first = await initRepo(home, { network: 'lab' })
    const token = await readFile(join(home, REPO_FILES.token), 'utf8')
    await writeFile(
      join(home, REPO_FILES.config),
      JSON.stringify({ network: 'lab', epochMs: 1000 }),
    )

    const forced = await initRepo(home, { force: true })
    expect(forced.created).toBe(true)
    expect(forced.network).toBe('lab')
    expect(forced.peerId).not.toBe(first.peerId)
    expect(await readFile(join(home, REPO_FILES.token), 'utf8')).not.toBe(token)
    const repo = await openRepo(home)
    expect(repo.peerId).toBe(forced.peerId)
    expect(repo.config).toEqual({ network: 'lab', epochMs: 1000 })
  })

  it('--force leaves secrets at 0600 even when they had been opened up', async () => {
    const home = newHome()
    await initRepo(home)
    await chmod(join(home, REPO_FILES.identity), 0o644)
    await chmod(join(home, REPO_FILES.token), 0o644)
    await initRepo(home, { force: true })
    expect(await modeOf(join(home, REPO_FILES.identity))).toBe(0o600)
    expect(await modeOf(join(home, REPO_FILES.token))).toBe(0o600)
  })

  it('--force never touches a repo another live daemon holds', async () => {
    const home = newHome()
    const first = await initRepo(home)
    const key = await readFile(join(home, REPO_FILES.identity))
    const holder = await liveChild()
    await writeFile(join(home, REPO_FILES.lock), `${holder.pid}\n`)

    const err = await refusalOf(initRepo(home, { force: true }))
    expect(err.code).toBe('ERR_REPO_LOCKED')
    expect(err.message).toContain(String(holder.pid))
    expect(await readFile(join(home, REPO_FILES.identity))).toEqual(key)
    expect((await openRepo(home)).peerId).toBe(first.peerId)
  })

  it('refuses a bad network name with ERR_BAD_CONFIG and creates nothing', async () => {
    const home = newHome()
    for (const network of ['', 'has space', 'x'.repeat(65), 'a/b']) {
      const err = await refusalOf(initRepo(home, { network }))
      expect(err.code, network).toBe('ERR_BAD_CONFIG')
      expect(err.message).toContain('network')
    }
    expect(await exists(home)).toBe(false)
  })
})

// ---- openRepo ------------------------------------------------------------------------------

describe('openRepo', () => {
  it('ERR_REPO_MISSING for a home without a repo, naming it', async () => {
    const home = newHome()
    const err = await refusalOf(openRepo(home))
    expect(err.code).toBe('ERR_REPO_MISSING')
    expect(err.message).toContain(home)

    await mkdir(home)
    const empty = await refusalOf(openRepo(home))
    expect(empty.code).toBe('ERR_REPO_MISSING')
  })

  it('ERR_BAD_IDENTITY for an identity.key that is not a libp2p private key', async () => {
    const home = newHome()
    await initRepo(home)
    const file = join(home, REPO_FILES.identity)
    const good = await readFile(file)
    const corrupt: Array<[string, Uint8Array]> = [
      ['empty', new Uint8Array(0)],
      ['text', new TextEncoder().encode('not a key\n')],
      ['truncated', good.subarray(0, good.length - 10)],
      ['garbage', new Uint8Array(68).fill(0xff)],
    ]
    for (const [what, bytes] of corrupt) {
      await writeFile(file, bytes)
      const err = await refusalOf(openRepo(home))
      expect(err.code, what).toBe('ERR_BAD_IDENTITY')
      expect(err.message, what).toContain(REPO_FILES.identity)
    }
  })

  it('ERR_BAD_IDENTITY for a key that is not Ed25519', async () => {
    const home = newHome()
    await initRepo(home)
    const secp = await generateKeyPair('secp256k1')
    await writeFile(join(home, REPO_FILES.identity), privateKeyToProtobuf(secp))
    const err = await refusalOf(openRepo(home))
    expect(err.code).toBe('ERR_BAD_IDENTITY')
    expect(err.message).toMatch(/Ed25519/)
  })

  it('ERR_BAD_TOKEN for a missing or short api.token', async () => {
    const home = newHome()
    await initRepo(home)
    await writeFile(join(home, REPO_FILES.token), 'short\n')
    expect((await refusalOf(openRepo(home))).code).toBe('ERR_BAD_TOKEN')
    await rm(join(home, REPO_FILES.token))
    expect((await refusalOf(openRepo(home))).code).toBe('ERR_BAD_TOKEN')
  })

  it('ERR_BAD_CONFIG for a config.json that is not valid', async () => {
    const home = newHome()
    await initRepo(home)
    await writeFile(join(home, REPO_FILES.config), '{ nope')
    expect((await refusalOf(openRepo(home))).code).toBe('ERR_BAD_CONFIG')
    await writeFile(join(home, REPO_FILES.config), JSON.stringify({ epochMs: 5 }))
    const err = await refusalOf(openRepo(home))
    expect(err.code).toBe('ERR_BAD_CONFIG')
    expect(err.message).toContain('epochMs')
  })

  it('a missing config.json is an empty config', async () => {
    const home = newHome()
    await initRepo(home)
    await rm(join(home, REPO_FILES.config))
    expect((await openRepo(home)).config).toEqual({})
  })
})

// ---- lockRepo ------------------------------------------------------------------------------

describe('lockRepo', () => {
  const locks: RepoLock[] = []
  afterEach(async () => {
    for (const lock of locks.splice(0)) await lock.release()
  })
  const take = async (home: string): Promise<RepoLock> => {
    const lock = await lockRepo(home)
    locks.push(lock)
    return lock
  }
  const lockFile = (home: string): string => join(home, REPO_FILES.lock)

  it('writes this pid into repo.lock and removes it on release', async () => {
    const home = newHome()
    await initRepo(home)
    const lock = await lockRepo(home)
    expect(await readFile(lockFile(home), 'utf8')).toBe(`${process.pid}\n`)
    await lock.release()
    expect(await exists(lockFile(home))).toBe(false)
    // and it can be taken again
    await take(home)
    expect(await readFile(lockFile(home), 'utf8')).toBe(`${process.pid}\n`)
  })

  it('refuses a lock another live process holds with ERR_REPO_LOCKED naming its pid', async () => {
    const home = newHome()
    await initRepo(home)
    const holder = await liveChild()
    await writeFile(lockFile(home), `${holder.pid}\n`)

    const err = await refusalOf(lockRepo(home))
    expect(err.code).toBe('ERR_REPO_LOCKED')
    expect(err.message).toContain(`pid ${holder.pid}`)
    expect(err.message).toContain(home)
    // refused: the holder's lock is left as it was
    expect(await readFile(lockFile(home), 'utf8')).toBe(`${holder.pid}\n`)

    // once the holder is gone, its lock is stale and taken over
    await stopChild(holder)
    await take(home)
    expect(await readFile(lockFile(home), 'utf8')).toBe(`${process.pid}\n`)
  })

  it('refuses pid 1 (always alive, perhaps not ours to signal)', async () => {
    const home = newHome()
    await initRepo(home)
    await writeFile(lockFile(home), '1\n')
    const err = await refusalOf(lockRepo(home))
    expect(err.code).toBe('ERR_REPO_LOCKED')
    expect(err.message).toContain('pid 1)')
  })

  it('refuses a second lock while the first is held in this process', async () => {
    // Two daemons in one process on one repo would share the store; the second must be
    // refused like any other, and releasing one must not free the other's lock.
    const home = newHome()
    await initRepo(home)
    const first = await take(home)
    const err = await refusalOf(
      lockRepo(home).then((second) => {
        locks.push(second)
        return second
      }),
    )
    expect(err.code).toBe('ERR_REPO_LOCKED')
    expect(err.message).toContain(`pid ${process.pid}`)
    expect(await readFile(lockFile(home), 'utf8')).toBe(`${process.pid}\n`)
    await first.release()
  })

  it('takes over a stale lock whose pid is no longer alive', async () => {
    const home = newHome()
    await initRepo(home)
    const gone = await deadPid()
    await writeFile(lockFile(home), `${gone}\n`)
    await take(home)
    expect(await readFile(lockFile(home), 'utf8')).toBe(`${process.pid}\n`)
  })

  it('takes over a lock file that holds no pid', async () => {
    for (const content of ['', 'garbage', '-5', '0', '\n']) {
      const home = newHome()
      await initRepo(home)
      await writeFile(lockFile(home), content)
      const lock = await lockRepo(home)
      expect(await readFile(lockFile(home), 'utf8'), JSON.stringify(content)).toBe(
        `${process.pid}\n`,
      )
      await lock.release()
    }
  })

  it('concurrent lockers are both refused while a live holder keeps the lock', async () => {
    const home = newHome()
    await initRepo(home)
    const holder = await liveChild()
    await writeFile(lockFile(home), `${holder.pid}\n`)
    const results = await Promise.allSettled([lockRepo(home), lockRepo(home)])
    for (const r of results) {
      expect(r.status).toBe('rejected')
      if (r.status === 'rejected') expect((r.reason as AlaraError).code).toBe('ERR_REPO_LOCKED')
    }
  })
})
