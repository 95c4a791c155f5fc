import { randomBytes } from 'node:crypto'
import { link, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { RepoLockedError, repoLocked } from '../errors.js'
import { syncDirectory } from '../util/atomic-file.js'

/**
 * One daemon per repo, without a window in which two starters both win.
 *
 * The lock file `repo.lock` holds its owner's pid and is only ever created whole: a
 * complete temporary file is link()ed to the name (fails if the name exists), so nobody
 * reads a half-written lock. A lock whose pid is dead (a killed daemon) is taken over by
 * rename()ing a fresh lock over it, and that rename is guarded: only the starter that
 * creates the guard `repo.lock.<dev>-<ino>.takeover.<k>` (named after the stale file
 * itself, created by link() too) may replace that file, and it re-checks that the name
 * still points at that file first. Nobody else changes a stale lock (its owner is dead),
 * so the replace is a compare-and-swap. A guard whose pid is dead is skipped (k + 1).
 */

const LOCK = 'repo.lock'
const MAX_TAKEOVER_GUARDS = 16

export interface RepoLock {
  /** the pid of the dead daemon whose lock was taken over, if any */
  readonly stalePid: number | undefined
  release(): Promise<void>
}

export interface LockOptions {
  /** told when a stale lock is taken over */
  log?: (message: string) => void
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Lock files this process holds now: its own pid in a lock file is not always stale. */
const heldLocks = new Set<string>()

function parsePid(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const pid = Number.parseInt(text, 10)
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

/** The pid a lock-style file names, or undefined when missing or unreadable. */
export async function readLockPid(file: string): Promise<number | undefined> {
  return parsePid(await readFile(file, 'utf8').catch(() => undefined))
}

function holds(file: string, pid: number | undefined): boolean {
  if (pid === undefined) return false
  // Our own pid: held if we took it, else left by an earlier process that had our pid.
  if (pid === process.pid) return heldLocks.has(file)
  return pidAlive(pid)
}

/** The pid holding the repo's lock, or undefined when free or stale. */
export async function lockHolder(home: string): Promise<number | undefined> {
  const file = join(home, LOCK)
  const pid = await readLockPid(file)
  return holds(file, pid) ? pid : undefined
}

/** A complete file holding our pid, to be linked or renamed into place. */
async function freshLockFile(home: string): Promise<string> {
  const tmp = join(home, `.${LOCK}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(tmp, 'wx', 0o600)
  try {
    await handle.writeFile(`${process.pid}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
  return tmp
}

/** link() that says whether it created the name (false when it existed). */
async function linkNew(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
}

const fileKey = (s: { dev: bigint; ino: bigint }): string => `${s.dev}-${s.ino}`

/**
 * Replaces the stale lock `key` with `tmp` if we win its guard; true when we did.
 * False: another starter is taking it over (or did), the caller looks again.
 */
async function takeOver(home: string, key: string, tmp: string): Promise<boolean> {
  const file = join(home, LOCK)
  for (let k = 0; k < MAX_TAKEOVER_GUARDS; k++) {
    const guard = join(home, `${LOCK}.${key}.takeover.${k}`)
    if (!(await linkNew(tmp, guard))) {
      const pid = await readLockPid(guard)
      if (pid !== undefined && pidAlive(pid)) return false
      continue // a starter that died while taking over: skip its guard
    }
    try {
      const now = await stat(file, { bigint: true }).catch(() => undefined)
      if (now === undefined || fileKey(now) !== key) return false
      await rename(tmp, file)
      return true
    } finally {
      await rm(guard, { force: true })
    }
  }
  throw new RepoLockedError(`too many abandoned takeovers of ${file}; remove ${file}.*`)
}

/** Guards left by starters that died while taking over; harmless, removed for tidiness. */
async function removeDeadGuards(home: string): Promise<void> {
  const names = await readdir(home).catch(() => [] as string[])
  for (const name of names) {
    if (!name.startsWith(`${LOCK}.`) || !name.includes('.takeover.')) continue
    const pid = await readLockPid(join(home, name))
    if (pid === undefined || !pidAlive(pid)) await rm(join(home, name), { force: true })
  }
}

export async function lockRepo(home: string, opts: LockOptions = {}): Promise<RepoLock> {
  const file = join(home, LOCK)
  const tmp = await freshLockFile(home)
  try {
    for (let attempt = 0; attempt < 8; attempt++) {
      if (await linkNew(tmp, file)) return await acquired(home, file, undefined)
      const current = await stat(file, { bigint: true }).catch(() => undefined)
      if (current === undefined) continue // released meanwhile: try again
      const pid = await readLockPid(file)
      if (holds(file, pid)) throw repoLocked(home, pid as number)
      if (await takeOver(home, fileKey(current), tmp)) {
        opts.log?.(
          `repo.lock: took over the stale lock of ${pid === undefined ? 'an unreadable lock file' : `pid ${pid} (not running)`}`,
        )
        return await acquired(home, file, pid)
      }
      // someone else is taking it over: their pid will be in the lock in a moment
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40))
    }
    const holder = await lockHolder(home)
    if (holder !== undefined) throw repoLocked(home, holder)
    throw new RepoLockedError(`could not take the lock ${file}; try again`)
  } finally {
    await rm(tmp, { force: true })
  }
}

async function acquired(
  home: string,
  file: string,
  stalePid: number | undefined,
): Promise<RepoLock> {
  heldLocks.add(file)
  await syncDirectory(home)
  await removeDeadGuards(home)
  const mine = fileKey(await stat(file, { bigint: true }))
  let released = false
  return {
    stalePid,
    release: async () => {
      if (released) return
      released = true
      heldLocks.delete(file)
      // only our own lock: never remove one a later owner put there
      // (same file and our pid: an inode number alone can be reused by a new file)
      const now = await stat(file, { bigint: true }).catch(() => undefined)
      if (now === undefined || fileKey(now) !== mine) return
      if ((await readLockPid(file)) === process.pid) await rm(file, { force: true })
    },
  }
}
