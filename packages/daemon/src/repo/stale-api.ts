import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { REPO_FILES } from './repo.js'

/**
 * Once a daemon holds the repo lock, an `api` file can only be left by a daemon that was
 * killed: it names a port that anyone may have bound since. It is removed before
 * anything else, so no CLI is pointed there while this daemon starts.
 */
export async function removeStaleApiFile(
  home: string,
  stalePid: number | undefined,
  log: (message: string) => void,
): Promise<void> {
  const file = join(home, REPO_FILES.api)
  const url = (await readFile(file, 'utf8').catch(() => '')).trim()
  if (url === '') {
    await rm(file, { force: true })
    return
  }
  await rm(file, { force: true })
  const who = stalePid === undefined ? 'a daemon that did not stop cleanly' : `pid ${stalePid}`
  log(`removed the stale api file ${file} (${url}) left by ${who}`)
}
