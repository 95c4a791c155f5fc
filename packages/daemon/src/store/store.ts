import { LevelDatastore } from 'datastore-level'
import { Level } from 'level'
import { BeaconRecords } from './beacon-records.js'
import { FrozenRecords } from './frozen-records.js'
import { EPOCH_DIGITS, epochKey, splitIds } from './keys.js'
import { readAhead } from './read-ahead.js'
import { type StoreSealer, storedContribution } from './store-seal.js'

/**
 * The durable store: one LevelDB per repo. ALARA's records live under `/alara/…`; the
 * same database, wrapped as a datastore, holds libp2p's peer store and DHT records.
 *
 * Writes a caller is told about (inject, trust) are synced to disk before the promise
 * resolves; contributions received by gossip are written in the background in batches
 * (they are recoverable from peers by sync, so a crash may only cost a re-fetch).
 *
 * With a sealer (the daemon's), every contribution is stored sealed under the node's store
 * key (store-seal.ts), so a restart trusts it without re-verifying its signature.
 */

const PREFIX = {
  contribution: '/alara/c/',
  vote: '/alara/v/',
  trust: '/alara/t/',
  final: '/alara/f/',
  meta: '/alara/m/',
} as const

const ID_HEX = /^[0-9a-f]{64}$/

export interface TrustRecord {
  trust: number
  active: boolean
  /** `manual` (trust set) or `lan` (automatic); records written before it are manual */
  source?: 'manual' | 'lan'
}

/** A stored contribution as the reload reads it (contributionBatchesFrom). */
export interface StoredRecord {
  epoch: number
  /** the id hex its key names */
  idHex: string
  /** the encoded contribution */
  encoded: Uint8Array
  /** its seal checks under this node's store key, for the id its key names */
  sealed: boolean
}

type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }

export class AlaraStore {
  readonly db: Level<string, Uint8Array>
  /** libp2p's view of the same database */
  readonly datastore: LevelDatastore
  /** version 2's records: commits, reveals, recoveries, frozen commit sets */
  readonly beacon: BeaconRecords
  /** final epochs as one sealed value each, in place of their contributions */
  readonly frozen: FrozenRecords
  private pending: BatchOp[] = []
  private flushing: Promise<void> = Promise.resolve()
  private flushTimer: NodeJS.Timeout | undefined
  private drawStateWrite: Promise<void> = Promise.resolve()

  private constructor(
    db: Level<string, Uint8Array>,
    private readonly onBackgroundError: (err: Error) => void,
    private readonly sealer: StoreSealer | undefined,
  ) {
    this.db = db
    this.datastore = new LevelDatastore(db)
    this.beacon = new BeaconRecords(db)
    this.frozen = new FrozenRecords(
      db,
      sealer,
      PREFIX.contribution,
      () => this.flush(),
      onBackgroundError,
    )
  }

  /**
   * `onBackgroundError` hears of failed background writes (nobody else awaits them);
   * without a `sealer`, contributions are stored unsealed (re-verified on every reload).
   */
  static async open(
    path: string,
    onBackgroundError: (err: Error) => void = () => {},
    sealer?: StoreSealer,
  ): Promise<AlaraStore> {
    const db = new Level<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' })
    await db.open()
    const store = new AlaraStore(db, onBackgroundError, sealer)
    await store.datastore.open()
    return store
  }

  /** Contributions received from the network: batched, written within ~50 ms. */
  queueContribution(idHex: string, epoch: number, encoded: Uint8Array): void {
    this.pending.push(this.contributionPut(idHex, epoch, encoded))
    if (this.pending.length >= 512) this.flushInBackground()
    else this.flushTimer ??= setTimeout(() => this.flushInBackground(), 50)
  }

  private flushInBackground(): void {
    this.flush().catch((err: Error) => this.onBackgroundError(err))
  }

  /**
   * Writes everything queued so far; rejects when that batch fails. A failed batch does
   * not stop later ones (they run after it either way).
   */
  flush(): Promise<void> {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer)
    this.flushTimer = undefined
    const ops = this.pending
    this.pending = []
    if (ops.length === 0) return this.flushing.catch(() => undefined)
    const run = this.flushing.catch(() => undefined).then(() => this.db.batch(ops))
    this.flushing = run
    return run
  }

  /**
   * Own contributions and the seq they advanced to, synced in one atomic batch: once this
   * resolves the inject may be acknowledged.
   */
  async putOwnContributions(
    entries: Array<{ idHex: string; epoch: number; encoded: Uint8Array }>,
    lastSeq: number,
  ): Promise<void> {
    const ops: BatchOp[] = entries.map((e) => this.contributionPut(e.idHex, e.epoch, e.encoded))
    ops.push({ type: 'put', key: `${PREFIX.meta}seq`, value: u64(lastSeq) })
    await this.db.batch(ops, { sync: true })
  }

  /** Contributions repaired over sync: synced, so a repaired digest survives a crash. */
  async putContributions(
    entries: Array<{ idHex: string; epoch: number; encoded: Uint8Array }>,
  ): Promise<void> {
    if (entries.length === 0) return
    await this.db.batch(
      entries.map((e) => this.contributionPut(e.idHex, e.epoch, e.encoded)),
      { sync: true },
    )
  }

  /**
   * Seals again contributions the reload verified by their signature (unsealed or failed
   * seals), under their verified id and epoch; `stale`, a different key they were read
   * under, is dropped. Not synced: nothing new is acknowledged, and an upgrade lost in a crash only
   * means verifying that contribution once more on the next reload.
   */
  async resealContributions(
    entries: Array<{
      idHex: string
      epoch: number
      encoded: Uint8Array
      /** where it was read, when that is not where it belongs */
      stale?: { epoch: number; idHex: string }
    }>,
  ): Promise<void> {
    if (entries.length === 0 || this.sealer === undefined) return
    const ops: BatchOp[] = []
    for (const e of entries) {
      const key = contributionKey(e.epoch, e.idHex)
      const stale = e.stale === undefined ? key : contributionKey(e.stale.epoch, e.stale.idHex)
      if (stale !== key) ops.push({ type: 'del', key: stale })
      ops.push(this.contributionPut(e.idHex, e.epoch, e.encoded))
    }
    await this.db.batch(ops)
  }

  /**
   * The encoded contribution stored under (epoch, id), or in epoch's frozen record, its seal
   * unchecked.
   */
  async getContribution(epoch: number, idHex: string): Promise<Uint8Array | undefined> {
    const value = await this.db.get(contributionKey(epoch, idHex))
    if (value !== undefined) return storedContribution(value)
    return ID_HEX.test(idHex) ? this.frozen.contribution(epoch, idHex) : undefined
  }

  /**
   * Stored contributions from `fromEpoch` on, in store order (epoch, then id), read `size`
   * at a time (one native call each, not one per entry), each with its seal checked. The
   * next batch is read while the caller handles this one: LevelDB reads in libuv's pool, and a reload
   * that waited for each read idled ~16 % of its time (1M entries, docs/BENCHMARKS.md).
   */
  async *contributionBatchesFrom(fromEpoch: number, size = 1024): AsyncGenerator<StoredRecord[]> {
    // keys as bytes: the id hex is then cut from them as a flat string of its own (a
    // slice of a string key would keep the whole key alive in the replica)
    const iterator = this.db.iterator<Uint8Array, Uint8Array>({
      gte: Buffer.from(`${PREFIX.contribution}${epochKey(Math.max(0, fromEpoch))}`),
      lt: Buffer.from(`${PREFIX.contribution}~`),
      keyEncoding: 'view',
      // one pass over the whole window: keep LevelDB's block cache for the reads after it
      fillCache: false,
    })
    for await (const entries of readAhead(iterator, size))
      yield entries.map(([key, value]) => this.record(key, value))
  }

  private record(keyBytes: Uint8Array, value: Uint8Array): StoredRecord {
    const key = Buffer.from(keyBytes.buffer, keyBytes.byteOffset, keyBytes.byteLength)
    const at = PREFIX.contribution.length
    const epoch = Number(key.toString('latin1', at, at + EPOCH_DIGITS))
    const idHex = key.toString('latin1', at + EPOCH_DIGITS + 1)
    // a key naming no lowercase id is never trusted (its contribution is verified, moved)
    if (this.sealer === undefined || !ID_HEX.test(idHex))
      return { epoch, idHex, encoded: storedContribution(value), sealed: false }
    const { encoded, sealed } = this.sealer.open(idHex, value)
    return { epoch, idHex, encoded, sealed }
  }

  private contributionPut(idHex: string, epoch: number, encoded: Uint8Array): BatchOp {
    const key = contributionKey(epoch, idHex)
    if (this.sealer === undefined || !ID_HEX.test(idHex))
      return { type: 'put', key, value: encoded }
    return { type: 'put', key, value: this.sealer.seal(idHex, encoded) }
  }

  /** Drops contributions of epochs older than `epoch` (the store's retention). */
  async pruneContributionsBefore(epoch: number): Promise<void> {
    await this.db.clear({
      gte: PREFIX.contribution,
      lt: `${PREFIX.contribution}${epochKey(epoch)}`,
    })
    await this.frozen.pruneBefore(epoch)
  }

  async lastSeq(): Promise<number> {
    const v = await this.db.get(`${PREFIX.meta}seq`)
    return v === undefined ? 0 : readU64(v)
  }

  /**
   * Epoch r was frozen with these folded ids (32 bytes each): restored as is on restart.
   * Synced, so a beacon once reported final cannot change after a power loss.
   */
  async putFinal(epoch: number, foldedIds: Uint8Array[]): Promise<void> {
    const value = new Uint8Array(foldedIds.length * 32)
    for (const [i, id] of foldedIds.entries()) value.set(id, i * 32)
    await this.db.put(`${PREFIX.final}${epochKey(epoch)}`, value, { sync: true })
  }

  /** The folded ids epoch r was frozen with, if it was frozen here. */
  async getFinal(epoch: number): Promise<Uint8Array[] | undefined> {
    const value = await this.db.get(`${PREFIX.final}${epochKey(epoch)}`)
    return value === undefined ? undefined : splitIds(value)
  }

  async *finalsFrom(fromEpoch: number): AsyncGenerator<{ epoch: number; foldedIds: Uint8Array[] }> {
    for await (const { epoch, joined } of this.joinedFinalsFrom(fromEpoch))
      yield { epoch, foldedIds: splitIds(joined) }
  }

  /**
   * finalsFrom with the ids as stored, back to back (keys.ts splitIds): a restart splits
   * only those of epochs without a record, not a million ids.
   */
  async *joinedFinalsFrom(
    fromEpoch: number,
  ): AsyncGenerator<{ epoch: number; joined: Uint8Array }> {
    for await (const [key, value] of this.db.iterator({
      gte: `${PREFIX.final}${epochKey(Math.max(0, fromEpoch))}`,
      lt: `${PREFIX.final}~`,
    }))
      yield { epoch: Number(key.slice(PREFIX.final.length)), joined: value }
  }

  /** The newest epoch at most `atMost` frozen here with folded ids (a reverse index scan). */
  async newestFinalWithIds(atMost: number): Promise<number | undefined> {
    for await (const [key, value] of this.db.iterator({
      gte: PREFIX.final,
      lte: `${PREFIX.final}${epochKey(atMost)}`,
      reverse: true,
    }))
      if (value.length > 0) return Number(key.slice(PREFIX.final.length))
    return undefined
  }

  async pruneFinalsBefore(epoch: number): Promise<void> {
    await this.db.clear({ gte: PREFIX.final, lt: `${PREFIX.final}${epochKey(epoch)}` })
  }

  async putVote(epoch: number, originHex: string, encoded: Uint8Array): Promise<void> {
    await this.db.put(`${PREFIX.vote}${epochKey(epoch)}/${originHex}`, encoded)
  }

  async *votesFrom(fromEpoch: number): AsyncGenerator<Uint8Array> {
    for await (const value of this.db.values({
      gte: `${PREFIX.vote}${epochKey(Math.max(0, fromEpoch))}`,
      lt: `${PREFIX.vote}~`,
    }))
      yield value
  }

  async pruneVotesBefore(epoch: number): Promise<void> {
    await this.db.clear({ gte: PREFIX.vote, lt: `${PREFIX.vote}${epochKey(epoch)}` })
  }

  async trust(): Promise<Map<string, TrustRecord>> {
    const out = new Map<string, TrustRecord>()
    for await (const [key, value] of this.db.iterator({
      gte: PREFIX.trust,
      lt: `${PREFIX.trust}~`,
    })) {
      const record = JSON.parse(new TextDecoder().decode(value)) as TrustRecord
      out.set(key.slice(PREFIX.trust.length), record)
    }
    return out
  }

  async putTrust(peerId: string, record: TrustRecord): Promise<void> {
    await this.db.put(
      `${PREFIX.trust}${peerId}`,
      new TextEncoder().encode(JSON.stringify(record)),
      {
        sync: true,
      },
    )
  }

  async deleteTrust(peerId: string): Promise<void> {
    await this.db.del(`${PREFIX.trust}${peerId}`, { sync: true })
  }

  /**
   * Saves the private-draw chain (draw-state.ts), synced. Writes are one at a time and
   * each encodes the state when it runs (`encode` is called then), so a later save never
   * lands before an earlier one: what is on disk is never older than any draw answered.
   */
  putDrawState(encode: () => Uint8Array): Promise<void> {
    const run = this.drawStateWrite
      .catch(() => undefined)
      .then(() => this.db.put(`${PREFIX.meta}draw-state`, encode(), { sync: true }))
    this.drawStateWrite = run
    return run
  }

  async getDrawState(): Promise<Uint8Array | undefined> {
    return this.db.get(`${PREFIX.meta}draw-state`)
  }

  async close(): Promise<void> {
    try {
      await this.frozen.stop()
      await this.flush()
    } finally {
      await this.db.close()
    }
  }
}

function contributionKey(epoch: number, idHex: string): string {
  return `${PREFIX.contribution}${epochKey(epoch)}/${idHex}`
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(n))
  return out
}

function readU64(b: Uint8Array): number {
  return Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0))
}
