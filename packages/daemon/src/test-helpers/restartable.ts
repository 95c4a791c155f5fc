import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { type FakeComponents, type FakeComponentsInit, fakeComponents } from './fake-components.js'

export interface RestartableNodes {
  /** A fresh store directory, removed after the test. */
  storeDir(): Promise<string>
  /** Components on `dir`: a second call on the same directory is a "restart". */
  node(dir: string, init?: Omit<FakeComponentsInit, 'storeDir'>): Promise<FakeComponents>
  /** Closes components before the test ends (what a stop before a restart does). */
  stop(f: FakeComponents): Promise<void>
}

/** Nodes on store directories of their own, closed and removed after every test. */
export function useRestartableNodes(prefix: string): RestartableNodes {
  const open: FakeComponents[] = []
  const dirs: string[] = []
  afterEach(async () => {
    for (const f of open.splice(0)) await f.close()
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
  })
  return {
    async storeDir() {
      const dir = await mkdtemp(join(tmpdir(), `alara-${prefix}-`))
      dirs.push(dir)
      return dir
    },
    async node(dir, init = {}) {
      const f = await fakeComponents({ ...init, storeDir: dir })
      open.push(f)
      return f
    },
    async stop(f) {
      open.splice(open.indexOf(f), 1)
      await f.close()
    },
  }
}
