import type { Level } from 'level'
import { EPOCH_DIGITS, epochKey, joinIds, splitIds } from './keys.js'

/**
 * Version 2's records in the node's LevelDB (DESIGN.md "The shared beacon, version 2"):
 * commits by epoch and id, reveals by epoch and origin, the recovery and the frozen
 * commit set C_r by epoch. Reveals, recoveries and C_r are written synced (a reveal before
 * its α is deleted; a frozen set before its Ω is reported); commits in the background, as
 * gossiped contributions are (sync brings them back).
 */

const PREFIX = {
  commit: '/alara/k/',
  reveal: '/alara/r/',
  recovery: '/alara/y/',
  commitSet: '/alara/z/',
} as const

export class BeaconRecords {
  constructor(private readonly db: Level<string, Uint8Array>) {}

  /** A commit held (version 2); background, as gossip is: sync brings it back after a crash. */
  async putCommit(epoch: number, idHex: string, encoded: Uint8Array): Promise<void> {
    await this.db.put(`${PREFIX.commit}${epochKey(epoch)}/${idHex}`, encoded)
  }

  /** A reveal, synced: an own reveal is written before its α is deleted. */
  async putReveal(epoch: number, originHex: string, encoded: Uint8Array): Promise<void> {
    await this.db.put(`${PREFIX.reveal}${epochKey(epoch)}/${originHex}`, encoded, { sync: true })
  }

  async putRecovery(epoch: number, encoded: Uint8Array): Promise<void> {
    await this.db.put(`${PREFIX.recovery}${epochKey(epoch)}`, encoded, { sync: true })
  }

  /** C_r's commit ids as frozen, synced: a beacon once reported cannot change after a crash. */
  async putCommitSet(epoch: number, ids: Uint8Array[]): Promise<void> {
    await this.db.put(`${PREFIX.commitSet}${epochKey(epoch)}`, joinIds(ids), { sync: true })
  }

  /** Everything version 2 kept of epoch r: commits, reveals, the recovery, C_r's ids. */
  async records(epoch: number): Promise<{
    commits: Uint8Array[]
    reveals: Uint8Array[]
    recovery: Uint8Array | undefined
    commitSet: Uint8Array[] | undefined
  }> {
    const key = epochKey(epoch)
    const values = async (prefix: string): Promise<Uint8Array[]> => {
      const out: Uint8Array[] = []
      for await (const value of this.db.values({
        gte: `${prefix}${key}/`,
        lt: `${prefix}${key}/~`,
      }))
        out.push(value)
      return out
    }
    const frozen = await this.db.get(`${PREFIX.commitSet}${key}`)
    return {
      commits: await values(PREFIX.commit),
      reveals: await values(PREFIX.reveal),
      recovery: await this.db.get(`${PREFIX.recovery}${key}`),
      commitSet: frozen === undefined ? undefined : splitIds(frozen),
    }
  }

  /** Epochs from `fromEpoch` with anything of version 2 stored (commits or a frozen set). */
  async epochsFrom(fromEpoch: number): Promise<number[]> {
    const out = new Set<number>()
    for (const prefix of [PREFIX.commit, PREFIX.commitSet])
      for await (const key of this.db.keys({
        gte: `${prefix}${epochKey(Math.max(0, fromEpoch))}`,
        lt: `${prefix}~`,
      }))
        out.add(Number(key.slice(prefix.length, prefix.length + EPOCH_DIGITS)))
    return [...out].sort((a, b) => a - b)
  }

  async pruneBefore(epoch: number): Promise<void> {
    for (const prefix of [PREFIX.commit, PREFIX.reveal, PREFIX.recovery, PREFIX.commitSet])
      await this.db.clear({ gte: prefix, lt: `${prefix}${epochKey(epoch)}` })
  }
}
