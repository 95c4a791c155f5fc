import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { initRepo } from '../repo/repo.js'
import { loadStoreKey, STORE_KEY_FILE } from './store-key.js'

const dirs: string[] = []
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})
async function dir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'alara-store-key-'))
  dirs.push(d)
  return d
}
const modeOf = async (path: string) => (await stat(path)).mode & 0o777

describe('store.key', () => {
  it('init writes 32 random bytes, mode 0600; loading it gives them back', async () => {
    const home = await dir()
    await initRepo(home)
    const path = join(home, STORE_KEY_FILE)
    expect(await modeOf(path)).toBe(0o600)
    const bytes = new Uint8Array(await readFile(path))
    expect(bytes).toHaveLength(32)
    expect(await loadStoreKey(home)).toEqual(bytes)
    // init again keeps it; --force (a new identity) makes a new one
    await initRepo(home)
    expect(await loadStoreKey(home)).toEqual(bytes)
    await initRepo(home, { force: true })
    expect(await loadStoreKey(home)).not.toEqual(bytes)
  })

  it('a repo made before store keys gets one on first load, kept from then on', async () => {
    const home = await dir()
    const key = await loadStoreKey(home)
    expect(key).toHaveLength(32)
    expect(await modeOf(join(home, STORE_KEY_FILE))).toBe(0o600)
    expect(await loadStoreKey(home)).toEqual(key)
  })

  it('ERR_BAD_STORE_KEY for a file that is not 32 bytes, left as it is', async () => {
    const home = await dir()
    await writeFile(join(home, STORE_KEY_FILE), 'not a key')
    await expect(loadStoreKey(home)).rejects.toMatchObject({ code: 'ERR_BAD_STORE_KEY' })
    expect(await readFile(join(home, STORE_KEY_FILE), 'utf8')).toBe('not a key')
  })
})

describe('store.key that cannot be read', () => {
  it('ERR_BAD_STORE_KEY naming the file (a directory in its place), nothing changed', async () => {
    const home = await dir()
    await mkdir(join(home, STORE_KEY_FILE))
    await expect(loadStoreKey(home)).rejects.toMatchObject({
      code: 'ERR_BAD_STORE_KEY',
      message: expect.stringContaining(STORE_KEY_FILE),
    })
    expect((await stat(join(home, STORE_KEY_FILE))).isDirectory()).toBe(true)
  })
})
