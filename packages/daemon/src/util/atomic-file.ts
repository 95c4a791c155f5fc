import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/**
 * Writes a whole file so that a crash or power loss leaves either the old content or the
 * new one, never a mix or an empty file: a temporary file in the same directory (created
 * with its final mode, 0600 by default, so a secret is never readable by others), write,
 * fsync, rename over the target, fsync of the directory so the rename itself is durable.
 * On failure the temporary file is removed and the target is unchanged.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  opts: { mode?: number } = {},
): Promise<void> {
  const mode = opts.mode ?? 0o600
  const dir = dirname(path)
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await open(tmp, 'wx', mode)
    try {
      // the umask may have narrowed or (for 0644) changed the mode asked for
      await handle.chmod(mode)
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined)
    throw err
  }
  await syncDirectory(dir)
}

/** Makes the directory's entries (a rename, a link, an unlink) durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } catch (err) {
    // some platforms (Windows) cannot fsync a directory; the rename is as durable as it gets
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw err
  } finally {
    await handle.close()
  }
}
