import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh, empty repo directory under the OS temp dir. */
export async function makeHome(label = 'node'): Promise<string> {
  return mkdtemp(join(tmpdir(), `alara-e2e-${label}-`))
}

export async function removeHome(home: string): Promise<void> {
  await rm(home, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 })
}

/** A repo file's text, or undefined when it does not exist. */
export async function readRepoFile(home: string, name: string): Promise<string | undefined> {
  try {
    return await readFile(join(home, name), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}
