import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AlaraStore } from './store.js'
import { StoreSealer } from './store-seal.js'

/** Final epochs as one value (frozen-records.ts), as the store writes and reads them. */

const dirs: string[] = []
const stores: AlaraStore[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => s.db.close())
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function openStore(sealer?: StoreSealer, errors: Error[] = []): Promise<AlaraStore> {
  const dir = await mkdtemp(join(tmpdir(), 'alara-frozen-records-'))
  dirs.push(dir)
  const store = await AlaraStore.open(dir, (err) => errors.push(err), sealer)
  stores.push(store)
  return store
}

const id = () => randomBytes(32).toString('hex')
const keysUnder = (store: AlaraStore, prefix: string) =>
  store.db.keys({ gte: prefix, lt: `${prefix}~` }).all()
const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('FrozenRecords', () => {
  it("replaces the epoch's single values, queued ones included, and leaves other epochs", async () => {
    const store = await openStore(new StoreSealer(new Uint8Array(randomBytes(32))))
    await store.putContributions([{ idHex: id(), epoch: 7, encoded: new Uint8Array([1, 2]) }])
    // still queued (the background batch of gossip) when the epoch freezes
    store.queueContribution(id(), 7, new Uint8Array([3]))
    store.queueContribution(id(), 8, new Uint8Array([4]))
    const record = new Uint8Array([9, 9, 9])
    store.frozen.queue(7, record)
    await store.frozen.idle()
    const left = await keysUnder(store, '/alara/c/')
    expect(left).toHaveLength(1)
    expect(left[0]).toMatch(/^\/alara\/c\/0+8\//)
    const read = await collect(store.frozen.from(0))
    expect(read.map((r) => ({ ...r, record: [...r.record] }))).toEqual([
      { epoch: 7, record: [...record], sealed: true },
    ])
    expect(await collect(store.frozen.from(8))).toEqual([])
    await store.pruneContributionsBefore(8)
    expect(await collect(store.frozen.from(0))).toEqual([])
  })

  it('without a store key nothing is compacted: the single values stay', async () => {
    const store = await openStore()
    await store.putContributions([{ idHex: id(), epoch: 3, encoded: new Uint8Array([1]) }])
    store.frozen.queue(3, new Uint8Array([1]))
    await store.frozen.idle()
    expect(await keysUnder(store, '/alara/c/')).toHaveLength(1)
    expect(await keysUnder(store, '/alara/e/')).toHaveLength(0)
  })

  it('a failed write is reported and does not stop the next', async () => {
    const errors: Error[] = []
    const store = await openStore(new StoreSealer(new Uint8Array(randomBytes(32))), errors)
    const batch = store.db.batch.bind(store.db)
    let fail = true
    store.db.batch = ((...args: Parameters<typeof batch>) => {
      if (fail) {
        fail = false
        return Promise.reject(new Error('disk full'))
      }
      return batch(...args)
    }) as typeof store.db.batch
    store.frozen.queue(1, new Uint8Array([1]))
    store.frozen.queue(2, new Uint8Array([2]))
    await store.frozen.idle()
    expect(errors.map((e) => e.message)).toEqual(['disk full'])
    expect((await collect(store.frozen.from(0))).map((r) => r.epoch)).toEqual([2])
  })
})

describe('FrozenRecords: stop', () => {
  it('drops the writes still queued (their epochs keep their single values)', async () => {
    const store = await openStore(new StoreSealer(new Uint8Array(randomBytes(32))))
    await store.putContributions([{ idHex: id(), epoch: 4, encoded: new Uint8Array([1]) }])
    store.frozen.queue(4, new Uint8Array([1]))
    store.frozen.queue(5, new Uint8Array([2]))
    await store.frozen.stop()
    expect(await keysUnder(store, '/alara/e/')).toHaveLength(0)
    expect(await keysUnder(store, '/alara/c/')).toHaveLength(1)
  })
})

describe('FrozenRecords: compaction after a migration', () => {
  it('runs after the queued writes and keeps every live value', async () => {
    const store = await openStore(new StoreSealer(new Uint8Array(randomBytes(32))))
    const kept = id()
    await store.putContributions([
      { idHex: id(), epoch: 1, encoded: new Uint8Array([1]) },
      { idHex: kept, epoch: 2, encoded: new Uint8Array([2]) },
    ])
    const db = store.db as unknown as { compactRange(s: string, e: string): Promise<void> }
    const compact = db.compactRange.bind(db)
    const order: string[] = []
    db.compactRange = (start, end) => {
      order.push('compact')
      return compact(start, end)
    }
    store.frozen.queue(1, new Uint8Array([7]))
    store.frozen.queueCompaction()
    await store.frozen.idle()
    order.push('idle')
    expect(order).toEqual(['compact', 'idle'])
    expect(await keysUnder(store, '/alara/c/')).toEqual([
      `/alara/c/${(2).toString().padStart(16, '0')}/${kept}`,
    ])
    expect(await keysUnder(store, '/alara/e/')).toHaveLength(1)
  })
})

describe('FrozenRecords: reading', () => {
  it('reads ahead in epoch order, and a caller that stops early leaves the store usable', async () => {
    const store = await openStore(new StoreSealer(new Uint8Array(randomBytes(32))))
    for (let r = 1; r <= 9; r++) store.frozen.queue(r, new Uint8Array([r]))
    await store.frozen.idle()
    expect(
      (await collect(store.frozen.from(3))).map((x) => [x.epoch, x.record[0], x.sealed]),
    ).toEqual([3, 4, 5, 6, 7, 8, 9].map((r) => [r, r, true]))
    for await (const x of store.frozen.from(0)) if (x.epoch === 2) break
    expect(await keysUnder(store, '/alara/e/')).toHaveLength(9)
  })
})
