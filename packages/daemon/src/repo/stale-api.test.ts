import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { removeStaleApiFile } from './stale-api.js'

let home: string
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'alara-stale-api-'))
})
afterEach(async () => {
  await rm(home, { recursive: true, force: true })
})

describe('removeStaleApiFile', () => {
  it('removes a stale api file and says whose it was', async () => {
    await writeFile(join(home, 'api'), 'http://127.0.0.1:5890\n')
    const lines: string[] = []
    await removeStaleApiFile(home, 4242, (m) => lines.push(m))
    expect(await readdir(home)).toEqual([])
    expect(lines).toEqual([
      `removed the stale api file ${join(home, 'api')} (http://127.0.0.1:5890) left by pid 4242`,
    ])
  })

  it('says so without a pid, and is silent when there is no file', async () => {
    await writeFile(join(home, 'api'), 'http://127.0.0.1:1\n')
    const lines: string[] = []
    await removeStaleApiFile(home, undefined, (m) => lines.push(m))
    expect(lines[0]).toContain('left by a daemon that did not stop cleanly')
    await removeStaleApiFile(home, undefined, (m) => lines.push(m))
    expect(lines).toHaveLength(1)
    expect(await readdir(home)).toEqual([])
  })
})
