import { mkdir, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { ALPHA_BYTES } from '@alara/protocol'
import { REPO_FILES } from '../repo/repo.js'
import { syncDirectory, writeFileAtomic } from '../util/atomic-file.js'

/**
 * Each epoch's secret α of the version-2 beacon, from its commit until its reveal
 * (DESIGN.md: "kept in the repo, 0600 and synced, only until r's reveal"): written and
 * synced before the commit is published, so a crash between commit and reveal does not
 * make an honest node a withholder; deleted once the reveal is stored. One file per epoch
 * in a 0700 directory of the repo.
 */
export class AlphaStore {
  private readonly dir: string

  constructor(home: string) {
    this.dir = join(home, REPO_FILES.beaconSecrets)
  }

  private file(r: number): string {
    return join(this.dir, `${r}.alpha`)
  }

  async save(r: number, alpha: Uint8Array): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    await writeFileAtomic(this.file(r), alpha, { mode: 0o600 })
  }

  /** α of epoch r, if kept (a file of another length is not one: ignored). */
  async load(r: number): Promise<Uint8Array | undefined> {
    try {
      const bytes = new Uint8Array(await readFile(this.file(r)))
      return bytes.length === ALPHA_BYTES ? bytes : undefined
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  }

  async remove(r: number): Promise<void> {
    await rm(this.file(r), { force: true })
    await syncDirectory(this.dir).catch(() => undefined)
  }

  /** Epochs with an α kept, ascending. */
  async epochs(): Promise<number[]> {
    let names: string[]
    try {
      names = await readdir(this.dir)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    return names
      .map((n) => /^(\d+)\.alpha$/.exec(n)?.[1])
      .filter((d): d is string => d !== undefined)
      .map(Number)
      .sort((a, b) => a - b)
  }

  /** Removes α of epochs before `oldest` (never revealed: their epochs left the window). */
  async pruneBefore(oldest: number): Promise<void> {
    for (const r of await this.epochs()) if (r < oldest) await rm(this.file(r), { force: true })
  }
}
