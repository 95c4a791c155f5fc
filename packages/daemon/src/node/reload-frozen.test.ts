import { randomBytes } from 'node:crypto'
import { checkSignature, contributionId, decodeContribution, fromHex, toHex } from '@alara/protocol'
import { describe, expect, it } from 'vitest'
import { AlaraStore } from '../store/store.js'
import {
  type FakeComponents,
  fakePeer,
  signedContribution,
} from '../test-helpers/fake-components.js'
import { useRestartableNodes } from '../test-helpers/restartable.js'
import type { SignatureVerifier } from '../verify/checker.js'
import { restoreState } from './restore.js'

/**
 * Final epochs stored as one record each (store/frozen-records.ts): the migration of a
 * store that holds them one contribution per value, the reload from records (one seal an
 * epoch, no Ed25519), and records whose seal does not check.
 */

const { storeDir, node: nodeOn, stop } = useRestartableNodes('reload-frozen')
const node = (dir: string, storeKey?: Uint8Array): Promise<FakeComponents> =>
  nodeOn(dir, storeKey === undefined ? {} : { storeKey })

function counting(): SignatureVerifier & { calls: number } {
  const v = {
    calls: 0,
    verify: async (check: Parameters<typeof checkSignature>[0]) => {
      v.calls++
      return checkSignature(check)
    },
  }
  return v
}

type Item = { idHex: string; epoch: number; encoded: Uint8Array }

/** n signed contributions of epochs 97 and 98 from three origins, stored, both epochs final. */
async function finalStore(dir: string, n: number): Promise<Item[]> {
  const f = await node(dir)
  const peers = [await fakePeer(), await fakePeer(), await fakePeer()]
  const out: Item[] = []
  for (let i = 0; i < n; i++) {
    const epoch = 97 + (i % 2)
    const peer = peers[i % 3] as Awaited<ReturnType<typeof fakePeer>>
    const encoded = await signedContribution(peer.key, f.components, {
      epoch,
      seq: i + 1,
      timestampMs: epoch * f.components.params.epochMs + i,
    })
    out.push({ idHex: toHex(contributionId(decodeContribution(encoded))), epoch, encoded })
  }
  const { store } = f.components
  await store.putContributions(out)
  for (const r of [97, 98])
    await store.putFinal(
      r,
      out
        .filter((x) => x.epoch === r)
        .map((x) => x.idHex)
        .sort()
        .map(fromHex),
    )
  await stop(f)
  return out
}

/** The stored values under a prefix. */
async function values(dir: string, prefix: string): Promise<Uint8Array[]> {
  const store = await AlaraStore.open(dir)
  try {
    return await store.db.values({ gte: prefix, lt: `${prefix}~` }).all()
  } finally {
    await store.close()
  }
}

/** What a replica shows of the reloaded window (its draw chain apart: each start saves it). */
function view(f: FakeComponents) {
  const r = f.components.state.replica
  return {
    stored: r.storedTotal,
    summaries: r.summaries().map((s) => ({ ...s, digest: toHex(s.digest) })),
    beacons: r.summaries().map((s) => toHex(r.beacon(s.epoch) ?? new Uint8Array(0))),
    pool: toHex(r.poolDigest()),
    bits: r.poolBits(),
    // credit is a float sum: its order of additions may differ in the last bits
    origins: r.allOriginStats().map((o) => ({ ...o, creditBits: o.creditBits.toFixed(6) })),
    credit: r.creditBits.toFixed(6),
  }
}

/** A start: the window restored, then the records it queued written. */
async function start(dir: string, verifier: SignatureVerifier, storeKey?: Uint8Array) {
  const f = await node(dir, storeKey)
  await restoreState(f.components, verifier)
  await f.components.store.frozen.idle()
  return f
}

describe('final epochs as records', () => {
  it('a store of single contributions migrates to records, and reloads from them the same', async () => {
    const dir = await storeDir()
    const items = await finalStore(dir, 14)
    const first = await start(dir, counting())
    expect(first.components.state.replica.isFinal(97)).toBe(true)
    const migrated = view(first)
    await stop(first)
    expect(await values(dir, '/alara/c/')).toHaveLength(0)
    expect(await values(dir, '/alara/e/')).toHaveLength(2)

    const again = await start(dir, counting())
    expect(view(again)).toEqual(migrated)
    const replica = again.components.state.replica
    for (const x of items) {
      expect(replica.has(x.idHex)).toBe(true)
      expect(replica.isFolded(x.idHex)).toBe(true)
      expect(new Uint8Array(replica.get(x.idHex)?.contribution.signature ?? [])).toEqual(
        decodeContribution(x.encoded).signature,
      )
      // the store serves each from its epoch's record (the public beacon API, --verify)
      const bytes = await again.components.store.getContribution(x.epoch, x.idHex)
      expect(new Uint8Array(bytes as Uint8Array)).toEqual(x.encoded)
    }
    expect(again.components.state.backfill.has(97)).toBe(false)
  })

  it('a record reloads without one Ed25519 check; under another store key each is verified', async () => {
    const dir = await storeDir()
    await finalStore(dir, 10)
    await stop(await start(dir, counting()))
    const sealed = counting()
    const trusted = await start(dir, sealed)
    expect(sealed.calls).toBe(0)
    const seen = view(trusted)
    await stop(trusted)

    const key = new Uint8Array(randomBytes(32))
    const copied = counting()
    const moved = await start(dir, copied, key)
    expect(copied.calls).toBe(10)
    expect(view(moved)).toEqual(seen)
    await stop(moved)
    // written again under the new key: the next start trusts them
    const next = counting()
    expect(view(await start(dir, next, key))).toEqual(seen)
    expect(next.calls).toBe(0)
  })

  it('a changed byte fails the record seal, then that signature: the epoch is caught up', async () => {
    const dir = await storeDir()
    await finalStore(dir, 8)
    await stop(await start(dir, counting()))
    const f = await node(dir)
    const key = `/alara/e/${(98).toString().padStart(16, '0')}`
    const value = (await f.components.store.db.get(key)) as Uint8Array
    const changed = value.slice()
    // the record's last byte: the last contribution's signature
    changed[changed.length - 1] = (changed[changed.length - 1] as number) ^ 0x01
    await f.components.store.db.put(key, changed)
    await stop(f)

    const checks = counting()
    const again = await start(dir, checks)
    expect(checks.calls).toBe(4)
    const replica = again.components.state.replica
    expect(replica.storedTotal).toBe(7)
    expect(replica.isFinal(97)).toBe(true)
    // its frozen set names a contribution no longer held: not frozen, caught up from members
    expect(replica.isFinal(98)).toBe(false)
    expect(again.components.state.backfill.has(98)).toBe(true)
  })

  it('a record and stray single values of the same epoch (a late write) reload once, then only the record is left', async () => {
    const dir = await storeDir()
    const items = await finalStore(dir, 6)
    await stop(await start(dir, counting()))
    const f = await node(dir)
    const stray = items[0] as Item
    await f.components.store.putContributions([stray])
    await stop(f)

    const again = await start(dir, counting())
    expect(again.components.state.replica.storedTotal).toBe(6)
    await stop(again)
    expect(await values(dir, '/alara/c/')).toHaveLength(0)
  })
})
