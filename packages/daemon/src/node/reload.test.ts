import { randomBytes } from 'node:crypto'
import {
  CompactContribution,
  checkSignature,
  contributionId,
  decodeContribution,
  toHex,
} from '@alara/protocol'
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
 * Reload of a sealed store (store-seal.ts): what a restart trusts without Ed25519, what it
 * verifies, and that both give the very same replica. A "restart" is a second set of
 * components on the same store directory.
 */

const { storeDir, node: nodeOn, stop } = useRestartableNodes('reload')

/** A node on `dir`; `storeKey` null: unsealed, as a store from before seals. */
const node = (dir: string, storeKey?: Uint8Array | null): Promise<FakeComponents> =>
  nodeOn(dir, storeKey === undefined ? {} : { storeKey })

/** A verifier that counts the Ed25519 checks it is asked for. */
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

/** n signed contributions of epochs 98 and 99 from two origins, as the store takes them. */
async function items(f: FakeComponents, n: number): Promise<Item[]> {
  const peers = [await fakePeer(), await fakePeer()]
  const out: Item[] = []
  for (let i = 0; i < n; i++) {
    const epoch = 98 + (i % 2)
    const peer = peers[i % 2] as Awaited<ReturnType<typeof fakePeer>>
    const encoded = await signedContribution(peer.key, f.components, {
      epoch,
      seq: i + 1,
      timestampMs: epoch * f.components.params.epochMs + i,
    })
    out.push({ idHex: toHex(contributionId(decodeContribution(encoded))), epoch, encoded })
  }
  return out
}

/** What a replica shows of the reloaded window. */
function view(f: FakeComponents) {
  const r = f.components.state.replica
  return {
    stored: r.storedTotal,
    summaries: r.summaries().map((s) => ({ ...s, digest: toHex(s.digest) })),
    pool: toHex(r.poolDigest()),
    bits: r.poolBits(),
    draw: r.drawState(),
  }
}

async function rawValues(dir: string): Promise<Uint8Array[]> {
  const store = await AlaraStore.open(dir)
  try {
    return await store.db.values({ gte: '/alara/c/', lt: '/alara/c/~' }).all()
  } finally {
    await store.close()
  }
}

describe('reload of sealed contributions', () => {
  it('a sealed store reloads without one Ed25519 check, the same replica as a verified one', async () => {
    const dir = await storeDir()
    const first = await node(dir)
    const stored = await items(first, 12)
    await first.components.store.putContributions(stored)
    await stop(first)

    const sealed = await node(dir)
    const noCheck = counting()
    await restoreState(sealed.components, noCheck)
    expect(noCheck.calls).toBe(0)
    expect(sealed.components.state.replica.storedTotal).toBe(12)
    const kept = sealed.components.state.replica.get(stored[0]?.idHex as string)
    expect(kept).toBeInstanceOf(CompactContribution)
    expect(kept?.contribution).toEqual(decodeContribution(stored[0]?.encoded as Uint8Array))
    const trusted = view(sealed)
    await stop(sealed)

    // another store key: every seal fails, every signature is verified; same result
    const copied = await node(dir, new Uint8Array(randomBytes(32)))
    const checks = counting()
    await restoreState(copied.components, checks)
    expect(checks.calls).toBe(12)
    expect(view(copied)).toEqual(trusted)
  })

  it('an unsealed store (older than seals) is verified by signature and sealed in place', async () => {
    const dir = await storeDir()
    const maker = await node(dir, null)
    const stored = await items(maker, 10)
    await maker.components.store.putContributions(stored)
    await stop(maker)
    expect((await rawValues(dir)).every((v) => v[0] === 0x0a)).toBe(true)

    const upgrade = await node(dir)
    const checks = counting()
    await restoreState(upgrade.components, checks)
    expect(checks.calls).toBe(10)
    expect(upgrade.components.state.replica.storedTotal).toBe(10)
    const upgraded = view(upgrade)
    await stop(upgrade)
    const values = await rawValues(dir)
    expect(values).toHaveLength(10)
    expect(values.every((v) => v[0] === 0x00 && v[1] === 0x01)).toBe(true)

    const again = await node(dir)
    const none = counting()
    await restoreState(again.components, none)
    expect(none.calls).toBe(0)
    expect(view(again)).toEqual(upgraded)
  })

  it('a changed byte fails the seal, then the signature: that contribution is skipped', async () => {
    const dir = await storeDir()
    const first = await node(dir)
    const stored = await items(first, 4)
    await first.components.store.putContributions(stored)
    const victim = stored[1] as Item
    const key = `/alara/c/${victim.epoch.toString().padStart(16, '0')}/${victim.idHex}`
    const value = (await first.components.store.db.get(key)) as Uint8Array
    const changed = value.slice()
    // a bit of the contribution's last field (its signature): still decodes, fails both
    changed[changed.length - 1] = (changed[changed.length - 1] as number) ^ 0x01
    await first.components.store.db.put(key, changed)
    await stop(first)

    const again = await node(dir)
    const checks = counting()
    await restoreState(again.components, checks)
    expect(checks.calls).toBe(1)
    const replica = again.components.state.replica
    expect(replica.storedTotal).toBe(3)
    expect(replica.has(victim.idHex)).toBe(false)
  })

  it('a sealed contribution stored under another id is verified and moved to its own', async () => {
    const dir = await storeDir()
    const maker = await node(dir, null)
    const [item] = await items(maker, 1)
    const wrongId = toHex(randomBytes(32))
    await maker.components.store.putContributions([{ ...(item as Item), idHex: wrongId }])
    await stop(maker)

    const again = await node(dir)
    const checks = counting()
    await restoreState(again.components, checks)
    expect(checks.calls).toBe(1)
    expect(again.components.state.replica.has(item?.idHex as string)).toBe(true)
    expect(await again.components.store.getContribution(item?.epoch as number, wrongId)).toBe(
      undefined,
    )
    const moved = await again.components.store.getContribution(
      item?.epoch as number,
      item?.idHex as string,
    )
    expect(new Uint8Array(moved as Uint8Array)).toEqual(item?.encoded)
  })
})
