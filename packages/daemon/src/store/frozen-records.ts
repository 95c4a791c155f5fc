import {
  decodeFrozenRecord,
  entryEncoded,
  type FrozenRecordLayout,
  findEntry,
  fromHex,
} from '@alara/protocol'
import type { Level } from 'level'
import { epochKey } from './keys.js'
import { readAhead } from './read-ahead.js'
import { type StoreSealer, storedRecord } from './store-seal.js'

/**
 * Final epochs stored as one value each (docs/PROTOCOL.md, "Frozen epoch records"): the
 * replica's record of the epoch (every stored contribution, its folded set and its
 * origins' figures), sealed once under the store key, under `/alara/e/<epoch>`. Written in
 * the background once the epoch is final, in one atomic batch with the deletion of that
 * epoch's per-contribution values: a crash leaves either the record or the contributions,
 * never neither, so nothing acknowledged is lost. A restart then reads one value and
 * checks one seal per final epoch instead of one per contribution.
 */

const PREFIX = '/alara/e/'
/** records read at once (a 1M window: ~350 KB each) */
const READ_AHEAD = 4

export interface StoredFrozenRecord {
  epoch: number
  /** the record (empty when the value has no record header) */
  record: Uint8Array
  /** its seal checks under this node's store key for the epoch its key names */
  sealed: boolean
}

export class FrozenRecords {
  private writes: Promise<void> = Promise.resolve()
  private stopped = false
  /** the record getContribution read last: a public beacon reads its epoch's ids in a row */
  private last: { epoch: number; layout: FrozenRecordLayout } | undefined

  /**
   * `contributionPrefix`: where per-contribution values live (`<prefix><epoch>/<id>`);
   * `flush`: writes contributions queued in the background, so that none of the epoch is
   * written after its record replaced it. Without a `sealer` nothing is compacted.
   */
  constructor(
    private readonly db: Level<string, Uint8Array>,
    private readonly sealer: StoreSealer | undefined,
    private readonly contributionPrefix: string,
    private readonly flush: () => Promise<void>,
    private readonly onBackgroundError: (err: Error) => void,
  ) {}

  /** Stores epoch r's record in place of its contributions, in the background, in order. */
  queue(epoch: number, record: Uint8Array): void {
    if (this.sealer === undefined) return
    this.writes = this.writes
      .then(() => (this.stopped ? undefined : this.put(epoch, record)))
      .catch((err: Error) => this.onBackgroundError(err))
  }

  /**
   * After a migration: compacts the per-contribution range, so that a later start does not
   * read past the deleted single values (100k of them: ~25 MB read and kept in RSS as
   * LevelDB's mapped table pages, docs/BENCHMARKS.md). Queued after the writes.
   */
  queueCompaction(): void {
    if (this.sealer === undefined) return
    const range = this.contributionPrefix
    this.writes = this.writes
      .then(() =>
        this.stopped ? undefined : compactable(this.db).compactRange(range, `${range}~`),
      )
      .catch((err: Error) => this.onBackgroundError(err))
  }

  /** Resolves once every queued record is written (or failed). */
  idle(): Promise<void> {
    return this.writes
  }

  /**
   * Lets the write under way finish and drops the queued ones (a stop does not wait for a
   * migration): their epochs keep their single values, and the next start queues them again.
   */
  stop(): Promise<void> {
    this.stopped = true
    return this.writes
  }

  private async put(epoch: number, record: Uint8Array): Promise<void> {
    const sealer = this.sealer as StoreSealer
    await this.flush()
    const range = `${this.contributionPrefix}${epochKey(epoch)}/`
    const ops: Array<
      { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }
    > = [{ type: 'put', key: recordKey(epoch), value: sealer.sealRecord(epoch, record) }]
    for await (const key of this.db.keys({ gte: range, lt: `${range}~` }))
      ops.push({ type: 'del', key })
    await this.db.batch(ops)
    if (this.last?.epoch === epoch) this.last = undefined
  }

  /**
   * Stored records from `fromEpoch` on, in epoch order, each with its seal checked. The
   * next few are read (in libuv's pool) while the caller loads these: without it a 1M
   * reload idled ~0.3 s waiting for LevelDB.
   */
  async *from(fromEpoch: number): AsyncGenerator<StoredFrozenRecord> {
    const iterator = this.db.iterator({
      gte: recordKey(Math.max(0, fromEpoch)),
      lt: `${PREFIX}~`,
      fillCache: false,
    })
    for await (const entries of readAhead(iterator, READ_AHEAD))
      for (const [key, value] of entries) yield this.opened(key, value)
  }

  private opened(key: string, value: Uint8Array): StoredFrozenRecord {
    const epoch = Number(key.slice(PREFIX.length))
    if (this.sealer === undefined)
      return { epoch, record: storedRecord(value) ?? new Uint8Array(0), sealed: false }
    return { epoch, ...this.sealer.openRecord(epoch, value) }
  }

  /** The encoded contribution `idHex` of frozen epoch r, when r has a record holding it. */
  async contribution(epoch: number, idHex: string): Promise<Uint8Array | undefined> {
    let layout = this.last?.epoch === epoch ? this.last.layout : undefined
    if (layout === undefined) {
      const value = await this.db.get(recordKey(epoch))
      const record = value === undefined ? undefined : storedRecord(value)
      if (record === undefined) return undefined
      layout = decodeFrozenRecord(record)
      this.last = { epoch, layout }
    }
    const i = findEntry(layout, fromHex(idHex))
    return i < 0 ? undefined : entryEncoded(layout.body, layout.entryAt[i] as number).slice()
  }

  async pruneBefore(epoch: number): Promise<void> {
    await this.db.clear({ gte: PREFIX, lt: recordKey(epoch) })
    this.last = undefined
  }
}

/** In Node `level` is classic-level, which compacts a range (the browser's does not). */
function compactable(db: Level<string, Uint8Array>): {
  compactRange(start: string, end: string): Promise<void>
} {
  return db as unknown as { compactRange(start: string, end: string): Promise<void> }
}

function recordKey(epoch: number): string {
  return `${PREFIX}${epochKey(epoch)}`
}
