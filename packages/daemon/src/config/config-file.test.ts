import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refusalOf } from '../test-helpers/refusal.js'
import { readConfigFile } from './config.js'

describe('readConfigFile', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alara-config-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('a missing file is {}', async () => {
    expect(await readConfigFile(join(dir, 'absent.json'))).toEqual({})
  })

  it('reads and validates a file', async () => {
    const file = join(dir, 'ok.json')
    await writeFile(file, JSON.stringify({ network: 'lab', epochMs: 1000, mdns: false }))
    expect(await readConfigFile(file)).toEqual({ network: 'lab', epochMs: 1000, mdns: false })
  })

  it('an empty object file is {}', async () => {
    const file = join(dir, 'empty-object.json')
    await writeFile(file, '{}\n')
    expect(await readConfigFile(file)).toEqual({})
  })

  it('refuses invalid JSON with ERR_BAD_CONFIG naming the file', async () => {
    for (const [name, text] of [
      ['broken.json', '{ "network": "lab", }'],
      ['empty.json', ''],
      ['text.json', 'network = lab'],
    ]) {
      const file = join(dir, name as string)
      await writeFile(file, text as string)
      const err = await refusalOf(readConfigFile(file))
      expect(err.code).toBe('ERR_BAD_CONFIG')
      expect(err.message).toContain(file)
      expect(err.message).toMatch(/not valid JSON/)
    }
  })

  it('refuses an unknown key or a bad value in the file, naming the file and the key', async () => {
    const unknown = join(dir, 'unknown.json')
    await writeFile(unknown, JSON.stringify({ network: 'lab', epochLength: 5000 }))
    const e1 = await refusalOf(readConfigFile(unknown))
    expect(e1.code).toBe('ERR_BAD_CONFIG')
    expect(e1.message).toContain(unknown)
    expect(e1.message, 'the message must name the unknown key').toContain('epochLength')

    const bad = join(dir, 'bad.json')
    await writeFile(bad, JSON.stringify({ defaultTrust: 2 }))
    const e2 = await refusalOf(readConfigFile(bad))
    expect(e2.code).toBe('ERR_BAD_CONFIG')
    expect(e2.message).toContain(bad)
    expect(e2.message).toContain('defaultTrust')
  })

  it('refuses a path that cannot be read as a file with ERR_BAD_CONFIG', async () => {
    const err = await refusalOf(readConfigFile(dir))
    expect(err.code).toBe('ERR_BAD_CONFIG')
    expect(err.message).toContain(dir)
  })
})
