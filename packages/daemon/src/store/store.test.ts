import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Key } from 'interface-datastore'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { AlaraStore } from './store.js'

let root: string
let count = 0
const open: AlaraStore[] = []

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'alara-store-'))
})
afterEach(async () => {
  vi.useRealTimers()
  for (const s of open.splice(0)) await s.close().catch(() => s.db.close()) // a store whose close() failed still gets closed
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const newPath = (): string => join(root, `db-${++count}`)

async function openStore(path: string): Promise<AlaraStore> {
  const store = await AlaraStore.open(path)
  open.push(store)
  return store
}

async function closeStore(store: AlaraStore): Promise<void> {
  await store.close()
  open.splice(open.indexOf(store), 1)
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

/** The stored contributions' bytes from `fromEpoch` on, in store order, batches flattened. */
async function* contributionsFrom(
  store: AlaraStore,
  fromEpoch: number,
): AsyncGenerator<Uint8Array> {
  for await (const batch of store.contributionBatchesFrom(fromEpoch))
    for (const record of batch) yield record.encoded
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** A fake contribution: a random id and a payload naming its epoch and id. */
function entry(epoch: number): { idHex: string; epoch: number; encoded: Uint8Array } {
  const idHex = hex(randomBytes(32))
  return { idHex, epoch, encoded: new TextEncoder().encode(`c:${epoch}:${idHex}`) }
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b)

/** The order contributionBatchesFrom promises: epochs ascending, ids ascending inside one. */
const stored = (es: Array<ReturnType<typeof entry>>): string[] =>
  [...es]
    .sort((a, b) => a.epoch - b.epoch || (a.idHex < b.idHex ? -1 : a.idHex > b.idHex ? 1 : 0))
    .map((e) => text(e.encoded))

describe('AlaraStore: own contributions and seq', () => {
  it('starts at seq 0 with nothing stored', async () => {
    const store = await openStore(newPath())
    expect(await store.lastSeq()).toBe(0)
    expect(await collect(contributionsFrom(store, 0))).toEqual([])
    expect(await store.trust()).toEqual(new Map())
  })

  it('own contributions and their seq survive close and reopen', async () => {
    const path = newPath()
    const store = await openStore(path)
    const a = [entry(10), entry(10)]
    await store.putOwnContributions(a, 2)
    const b = [entry(11)]
    await store.putOwnContributions(b, 3)
    await closeStore(store)

    const again = await openStore(path)
    expect(await again.lastSeq()).toBe(3)
    expect((await collect(contributionsFrom(again, 0))).map(text)).toEqual(stored([...a, ...b]))
    for (const e of [...a, ...b])
      expect(text((await again.getContribution(e.epoch, e.idHex)) as Uint8Array)).toBe(
        text(e.encoded),
      )
  })

  it('keeps seq values up to 2^53 - 1', async () => {
    const path = newPath()
    const store = await openStore(path)
    await store.putOwnContributions([], Number.MAX_SAFE_INTEGER)
    await closeStore(store)
    expect(await (await openStore(path)).lastSeq()).toBe(Number.MAX_SAFE_INTEGER)
  })

  it('repaired contributions are stored too; an empty repair writes nothing', async () => {
    const path = newPath()
    const store = await openStore(path)
    await store.putContributions([])
    const es = [entry(3), entry(4), entry(3)]
    await store.putContributions(es)
    await closeStore(store)
    const again = await openStore(path)
    expect((await collect(contributionsFrom(again, 0))).map(text)).toEqual(stored(es))
    expect(await again.lastSeq()).toBe(0)
  })

  it('getContribution is undefined for an id it does not hold', async () => {
    const store = await openStore(newPath())
    const e = entry(5)
    await store.putContributions([e])
    expect(await store.getContribution(5, hex(randomBytes(32)))).toBeUndefined()
    // the same id under another epoch is another key
    expect(await store.getContribution(6, e.idHex)).toBeUndefined()
  })
})

describe('AlaraStore: queued contributions', () => {
  it('are not written until flush(), then are', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const store = await openStore(newPath())
    const es = [entry(7), entry(8), entry(7)]
    for (const e of es) store.queueContribution(e.idHex, e.epoch, e.encoded)
    expect(await collect(contributionsFrom(store, 0))).toEqual([])
    await store.flush()
    expect((await collect(contributionsFrom(store, 0))).map(text)).toEqual(stored(es))
    // flushing again with nothing queued is harmless
    await store.flush()
    expect(await collect(contributionsFrom(store, 0))).toHaveLength(3)
  })

  it('are written by the batch timer about 50 ms after the first one', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const store = await openStore(newPath())
    const e = entry(1)
    store.queueContribution(e.idHex, e.epoch, e.encoded)
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(49)
    expect(await store.getContribution(1, e.idHex)).toBeUndefined()
    vi.advanceTimersByTime(1)
    expect(vi.getTimerCount()).toBe(0)
    await store.flush() // waits for the batch the timer started
    expect(text((await store.getContribution(1, e.idHex)) as Uint8Array)).toBe(text(e.encoded))
  })

  it('a full batch of 512 is written without waiting for the timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const store = await openStore(newPath())
    const es = Array.from({ length: 512 }, (_, i) => entry(i % 4))
    for (const e of es) store.queueContribution(e.idHex, e.epoch, e.encoded)
    expect(vi.getTimerCount()).toBe(0)
    // the 512th queued started the batch: a flush with nothing new only waits for it
    await store.flush()
    expect(await collect(contributionsFrom(store, 0))).toHaveLength(512)
  })

  it('a failed batch is reported and does not stop later batches', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const store = await openStore(newPath())
    vi.spyOn(store.db, 'batch').mockRejectedValueOnce(new Error('disk full'))
    const lost = entry(1)
    store.queueContribution(lost.idHex, lost.epoch, lost.encoded)
    await expect(store.flush()).rejects.toThrow('disk full')

    // the disk is fine again: what is queued next must reach it
    const next = entry(2)
    store.queueContribution(next.idHex, next.epoch, next.encoded)
    await expect(store.flush()).resolves.toBeUndefined()
    expect(await store.getContribution(2, next.idHex)).toBeDefined()
  })

  it('close() writes what is still queued', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const path = newPath()
    const store = await openStore(path)
    const es = [entry(2), entry(3)]
    for (const e of es) store.queueContribution(e.idHex, e.epoch, e.encoded)
    await closeStore(store)
    vi.useRealTimers()
    const again = await openStore(path)
    expect((await collect(contributionsFrom(again, 0))).map(text)).toEqual(stored(es))
  })
})

describe('AlaraStore: contributionBatchesFrom and prune by epoch', () => {
  it('lists from an epoch on, in epoch order across digit counts', async () => {
    const store = await openStore(newPath())
    const es = [0, 1, 9, 10, 11, 99, 100, 1000, 123_456_789, 352_840_320].map(entry)
    await store.putContributions(es)
    expect((await collect(contributionsFrom(store, 0))).map(text)).toEqual(stored(es))
    expect((await collect(contributionsFrom(store, -5))).map(text)).toEqual(stored(es))
    expect((await collect(contributionsFrom(store, 10))).map(text)).toEqual(
      stored(es.filter((e) => e.epoch >= 10)),
    )
    expect((await collect(contributionsFrom(store, 101))).map(text)).toEqual(
      stored(es.filter((e) => e.epoch >= 101)),
    )
    expect(await collect(contributionsFrom(store, 400_000_000))).toEqual([])
  })

  it('reads in batches of the asked size, the next one read ahead, and stops early cleanly', async () => {
    const path = newPath()
    const store = await openStore(path)
    const es = Array.from({ length: 10 }, (_, i) => entry(i % 4))
    await store.putContributions(es)
    const batches = await collect(store.contributionBatchesFrom(0, 3))
    expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 1])
    expect(batches.flat().map((r) => text(r.encoded))).toEqual(stored(es))
    // a caller that stops after the first batch leaves a read in flight: the iterator
    // must still close, and the store with it
    for await (const first of store.contributionBatchesFrom(0, 3)) {
      expect(first).toHaveLength(3)
      break
    }
    await closeStore(store)
    const again = await openStore(path)
    expect((await collect(contributionsFrom(again, 0))).map(text)).toEqual(stored(es))
  })

  it('prune drops the epochs before the cut and keeps the rest, across a reopen', async () => {
    const path = newPath()
    const store = await openStore(path)
    const es = [5, 9, 10, 10, 11, 100].map(entry)
    await store.putContributions(es)
    await store.pruneContributionsBefore(10)
    const kept = es.filter((e) => e.epoch >= 10)
    expect((await collect(contributionsFrom(store, 0))).map(text)).toEqual(stored(kept))
    expect(
      await store.getContribution(9, (es[1] as ReturnType<typeof entry>).idHex),
    ).toBeUndefined()
    await closeStore(store)
    const again = await openStore(path)
    expect((await collect(contributionsFrom(again, 0))).map(text)).toEqual(stored(kept))
  })

  it('pruning contributions leaves votes, finals, trust and seq alone', async () => {
    const store = await openStore(newPath())
    await store.putOwnContributions([entry(1)], 1)
    await store.putVote(1, 'aa', new Uint8Array([1]))
    await store.putFinal(1, [new Uint8Array(32).fill(1)])
    await store.putTrust('12D3KooWpeer', { trust: 0.5, active: true })
    await store.pruneContributionsBefore(1_000_000)
    expect(await collect(contributionsFrom(store, 0))).toEqual([])
    expect(await collect(store.votesFrom(0))).toHaveLength(1)
    expect(await collect(store.finalsFrom(0))).toHaveLength(1)
    expect((await store.trust()).size).toBe(1)
    expect(await store.lastSeq()).toBe(1)
  })
})

describe('AlaraStore: trust', () => {
  it('put, overwrite and delete, durable across a reopen', async () => {
    const path = newPath()
    const store = await openStore(path)
    await store.putTrust('12D3KooWaaa', { trust: 0.9, active: true })
    await store.putTrust('12D3KooWbbb', { trust: 0, active: false })
    await store.putTrust('12D3KooWaaa', { trust: 0.25, active: false })
    expect(await store.trust()).toEqual(
      new Map([
        ['12D3KooWaaa', { trust: 0.25, active: false }],
        ['12D3KooWbbb', { trust: 0, active: false }],
      ]),
    )
    await store.deleteTrust('12D3KooWbbb')
    // deleting what is not there is not an error
    await store.deleteTrust('12D3KooWzzz')
    await closeStore(store)

    const again = await openStore(path)
    expect(await again.trust()).toEqual(new Map([['12D3KooWaaa', { trust: 0.25, active: false }]]))
  })
})

describe('AlaraStore: finals', () => {
  it('putFinal / finalsFrom return the folded ids in the order given, from an epoch on', async () => {
    const path = newPath()
    const store = await openStore(path)
    const ids = (n: number): Uint8Array[] =>
      Array.from({ length: n }, () => new Uint8Array(randomBytes(32)))
    const f9 = ids(3)
    const f10 = ids(1)
    const f11: Uint8Array[] = []
    await store.putFinal(10, f10)
    await store.putFinal(9, f9)
    await store.putFinal(11, f11)
    const all = await collect(store.finalsFrom(0))
    expect(all.map((f) => f.epoch)).toEqual([9, 10, 11])
    expect(all.map((f) => f.foldedIds.map(hex))).toEqual([f9.map(hex), f10.map(hex), []])
    expect((await collect(store.finalsFrom(10))).map((f) => f.epoch)).toEqual([10, 11])
    // the newest with folded ids at or below an epoch: 11 is empty, so 10
    expect(await store.newestFinalWithIds(1_800_000_000)).toBe(10)
    expect(await store.newestFinalWithIds(9)).toBe(9)
    expect(await store.newestFinalWithIds(8)).toBeUndefined()

    await closeStore(store)
    const again = await openStore(path)
    expect((await collect(again.finalsFrom(0))).map((f) => f.foldedIds.map(hex))).toEqual([
      f9.map(hex),
      f10.map(hex),
      [],
    ])
    await again.pruneFinalsBefore(11)
    expect((await collect(again.finalsFrom(0))).map((f) => f.epoch)).toEqual([11])
  })

  it('a final written again replaces the first', async () => {
    const store = await openStore(newPath())
    await store.putFinal(4, [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)])
    await store.putFinal(4, [new Uint8Array(32).fill(3)])
    const [f] = await collect(store.finalsFrom(0))
    expect(f?.foldedIds.map(hex)).toEqual([hex(new Uint8Array(32).fill(3))])
  })
})

describe('AlaraStore: votes', () => {
  it('keeps the newest vote per epoch and origin, lists from an epoch on, prunes', async () => {
    const path = newPath()
    const store = await openStore(path)
    const v = (s: string): Uint8Array => new TextEncoder().encode(s)
    await store.putVote(10, 'aa', v('10/aa/old'))
    await store.putVote(10, 'bb', v('10/bb'))
    await store.putVote(10, 'aa', v('10/aa/new'))
    await store.putVote(9, 'aa', v('9/aa'))
    await store.putVote(100, 'aa', v('100/aa'))
    expect((await collect(store.votesFrom(0))).map(text)).toEqual([
      '9/aa',
      '10/aa/new',
      '10/bb',
      '100/aa',
    ])
    expect((await collect(store.votesFrom(10))).map(text)).toEqual(['10/aa/new', '10/bb', '100/aa'])

    await closeStore(store)
    const again = await openStore(path)
    await again.pruneVotesBefore(11)
    expect((await collect(again.votesFrom(0))).map(text)).toEqual(['100/aa'])
  })
})

describe('AlaraStore: the libp2p datastore shares the database', () => {
  it('libp2p records and ALARA records do not see each other', async () => {
    const path = newPath()
    const store = await openStore(path)
    await store.datastore.put(new Key('/peers/abc'), new Uint8Array([1, 2, 3]))
    await store.datastore.put(new Key('/dht/record/xyz'), new Uint8Array([4]))
    const e = entry(3)
    await store.putOwnContributions([e], 1)
    await store.putTrust('12D3KooWaaa', { trust: 1, active: true })
    expect((await collect(contributionsFrom(store, 0))).map(text)).toEqual([text(e.encoded)])
    expect([...(await store.trust()).keys()]).toEqual(['12D3KooWaaa'])
    await closeStore(store)

    const again = await openStore(path)
    expect([...(await again.datastore.get(new Key('/peers/abc')))]).toEqual([1, 2, 3])
    expect(await again.datastore.has(new Key('/dht/record/xyz'))).toBe(true)
  })
})
