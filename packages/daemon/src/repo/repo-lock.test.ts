import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { lockRepo } from './repo-lock.js'

let home: string
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'alara-repo-lock-'))
})
afterEach(async () => {
  await rm(home, { recursive: true, force: true })
})

/** A pid that is certainly not running: a child that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid as number

async function guardName(k: number): Promise<string> {
  const s = await stat(join(home, 'repo.lock'), { bigint: true })
  return `repo.lock.${s.dev}-${s.ino}.takeover.${k}`
}

describe('lockRepo takeover guards', () => {
  it('skips and removes the guard of a starter that died while taking over', async () => {
    const dead = deadPid()
    await writeFile(join(home, 'repo.lock'), `${dead}\n`)
    await writeFile(join(home, await guardName(0)), `${deadPid()}\n`)
    const lines: string[] = []
    const lock = await lockRepo(home, { log: (m) => lines.push(m) })
    expect(lock.stalePid).toBe(dead)
    expect(lines).toEqual([`repo.lock: took over the stale lock of pid ${dead} (not running)`])
    expect(await readdir(home)).toEqual(['repo.lock'])
    expect((await readFile(join(home, 'repo.lock'), 'utf8')).trim()).toBe(String(process.pid))
    await lock.release()
    expect(await readdir(home)).toEqual([])
  })

  it('backs off while a live starter holds the guard, and takes nothing', async () => {
    const dead = deadPid()
    await writeFile(join(home, 'repo.lock'), `${dead}\n`)
    const guard = await guardName(0)
    await writeFile(join(home, guard), `${process.ppid}\n`) // alive: our parent
    await expect(lockRepo(home)).rejects.toMatchObject({ code: 'ERR_REPO_LOCKED' })
    expect((await readFile(join(home, 'repo.lock'), 'utf8')).trim()).toBe(String(dead))
    expect((await readdir(home)).sort()).toEqual([guard, 'repo.lock'].sort())
  })

  it('release never removes a lock that another owner put in its place', async () => {
    const lock = await lockRepo(home)
    await rm(join(home, 'repo.lock'))
    await writeFile(join(home, 'repo.lock'), `${process.ppid}\n`)
    await lock.release()
    expect((await readFile(join(home, 'repo.lock'), 'utf8')).trim()).toBe(String(process.ppid))
  })
})
