import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { apiConsensus } from './helpers/api.js'
import { describeRun, runCli } from './helpers/cli.js'
import {
  type BeaconJson,
  beaconOf,
  consensusOf,
  EPOCH_MS,
  injectRandom,
  sharedDraw,
} from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { eventually, waitFor } from './helpers/wait.js'

/**
 * The replica keeps `retainEpochs` in memory; the store keeps `storeEpochs` on disk
 * (docs/OPERATIONS.md). A final epoch that has left the replica's window still has a
 * beacon: recomputed from its frozen folded ids and signed contributions read back from
 * disk, equal to the one served while it was in memory, and the same shared draw.
 */

const h = new Harness('history')
afterAll(() => h.cleanup())

describe('history', () => {
  it('a beacon older than the in-memory window is recomputed and verified from disk', async () => {
    const home = await h.home()
    await writeFile(
      join(home, 'config.json'),
      JSON.stringify({ retainEpochs: 4, storeEpochs: 1000 }),
    )
    const d = await h.start({ home })
    const injected = await injectRandom(d, 256)
    const r = injected.epoch

    // while in memory, once its shared beacon is revealed (the node's own reveal)
    const live = await eventually(
      async () => {
        const b = await beaconOf(d, r, true)
        expect(b.verified).toBe(true)
        expect(b.status).toBe('revealed')
        return b
      },
      { intervalMs: 250, what: `beacon of epoch ${r}` },
    )
    expect(live.contributions).toEqual(injected.ids)
    const draw = await sharedDraw(d, r, 32)

    // once epoch r has left the 4-epoch window (pruned when a later epoch finalizes)
    await waitFor(
      () => apiConsensus(d, 100),
      (entries) => Math.min(...entries.map((e) => e.epoch)) > r,
      { timeoutMs: 30 * EPOCH_MS, intervalMs: 100, what: `epoch ${r} out of the replica's window` },
    )
    const epochs = (await consensusOf(d, 100)).map((e) => e.epoch)
    expect(Math.min(...epochs)).toBeGreaterThan(r)
    const old = await beaconOf(d, r, true)
    expect(old).toMatchObject({
      epoch: r,
      beacon: live.beacon,
      status: 'revealed',
      commitsDigest: live.commitsDigest,
      commits: live.commits,
      poolBeacon: live.poolBeacon,
      digest: live.digest,
      count: 1,
      contributions: injected.ids,
      final: true,
      verified: true,
    })
    expect(await sharedDraw(d, r, 32)).toEqual(draw)

    // an epoch with nothing folded has no pool beacon, old or not; its shared beacon stands
    const later = await runCli(d.home, ['beacon', String(r + 2), '--json'])
    expect(later.code, describeRun(later)).toBe(0)
    expect(later.json).toMatchObject({ epoch: r + 2, count: 0, contributions: [] })
    expect((later.json as BeaconJson).poolBeacon).toBeUndefined()
    // one the store never held is a clear error, exit 1
    const none = await runCli(d.home, ['beacon', String(r - 100_000), '--json'])
    expect(none.code).toBe(1)
    expect(none.stderr).toMatch(/no beacon|not held here/)
  })
})
