import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { syncDirectory, writeFileAtomic } from './atomic-file.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alara-atomic-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('writeFileAtomic', () => {
  it('writes the content with mode 0600 and leaves no temporary file', async () => {
    const file = join(dir, 'api.token')
    await writeFileAtomic(file, 'secret\n')
    expect(await readFile(file, 'utf8')).toBe('secret\n')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual(['api.token'])
  })

  it('replaces an existing file whole, bytes included, and tightens its mode', async () => {
    const file = join(dir, 'identity.key')
    await writeFile(file, 'old content that is longer than the new one', { mode: 0o644 })
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]))
    expect([...(await readFile(file))]).toEqual([1, 2, 3])
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual(['identity.key'])
  })

  it('honours another mode when asked', async () => {
    const file = join(dir, 'config.json')
    await writeFileAtomic(file, '{}\n', { mode: 0o640 })
    expect((await stat(file)).mode & 0o777).toBe(0o640)
  })

  it('on failure leaves the target as it was and no temporary file', async () => {
    // the target is a non-empty directory: the rename fails after the data was written
    const target = join(dir, 'config.json')
    await mkdir(target)
    await writeFile(join(target, 'keep'), 'x')
    await expect(writeFileAtomic(target, '{}\n')).rejects.toThrow()
    expect((await readdir(dir)).sort()).toEqual(['config.json'])
    expect(await readFile(join(target, 'keep'), 'utf8')).toBe('x')
  })

  it('fails clearly when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'f'), 'x')).rejects.toMatchObject({
      code: 'ENOENT',
    })
  })
})

describe('syncDirectory', () => {
  it('syncs an existing directory and rejects a missing one', async () => {
    await expect(syncDirectory(dir)).resolves.toBeUndefined()
    await expect(syncDirectory(join(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
