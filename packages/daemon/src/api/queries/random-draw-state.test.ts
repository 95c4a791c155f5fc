import { sha256, toHex } from '@alara/protocol'
import { describe, expect, it } from 'vitest'
import { decodeDrawState } from '../../node/draw-state.js'
import { Ingest } from '../../node/ingest.js'
import { restoreState } from '../../node/restore.js'
import {
  type FakeComponents,
  fakePeer,
  signedContribution,
} from '../../test-helpers/fake-components.js'
import { useRestartableNodes } from '../../test-helpers/restartable.js'
import { random } from './beacon.js'

/**
 * The private-draw chain survives a restart: saved (synced) by every draw before it is
 * answered, restored after the stored window is reloaded. A "restart" here is a second
 * set of components on the same store directory at the same time.
 */

const { storeDir, node: nodeOn, stop } = useRestartableNodes('draw')

/** A node on `dir`, its clock at `startMs` (default: fakeComponents' own). */
const node = (dir: string, startMs?: number): Promise<FakeComponents> =>
  nodeOn(dir, startMs === undefined ? {} : { startMs })

describe('random: the private-draw chain across restarts', () => {
  it('a restart carries the chain on: counter never lower, state not a plain rebuild', async () => {
    const dir = await storeDir()
    const first = await node(dir)
    const c1 = first.components
    const ingest = new Ingest(c1)
    for (let i = 0; i < 3; i++) {
      const peer = await fakePeer()
      const result = await ingest.contribution(await signedContribution(peer.key, c1), {
        via: 'gossip',
      })
      expect(result.verdict).toBe('accept')
    }
    expect(c1.state.replica.foldedTotal).toBe(3)
    await random(c1, { bytes: 16, allowLowEntropy: true })
    await random(c1, { bytes: 16, allowLowEntropy: true })
    const saved = c1.state.replica.drawState()
    expect(saved.counter).toBe(2)
    // on disk before the draw was answered
    expect(decodeDrawState((await c1.store.getDrawState()) as Uint8Array)).toEqual(saved)
    const startMs = first.clock.ms
    await stop(first)

    const again = await node(dir, startMs)
    await restoreState(again.components)
    const restored = again.components.state.replica.drawState()
    expect(again.components.state.replica.foldedTotal).toBe(3)
    expect(restored.counter).toBe(2)

    // what a plain rebuild of the same window gives: no saved state
    await stop(again)
    const plain = await node(dir, startMs)
    await plain.components.store.db.del('/alara/m/draw-state')
    await restoreState(plain.components)
    const rebuilt = plain.components.state.replica.drawState()
    expect(rebuilt.counter).toBe(0)
    expect(toHex(restored.poolState)).not.toBe(toHex(rebuilt.poolState))
    // restored = SHA-256(saved ‖ rebuilt): both histories are in
    expect(toHex(restored.poolState)).toBe(
      toHex(sha256(new Uint8Array([...saved.poolState, ...rebuilt.poolState]))),
    )
  })

  it('draws after the restart continue the counter and are saved', async () => {
    const dir = await storeDir()
    const first = await node(dir)
    for (let i = 0; i < 5; i++) await random(first.components, { bytes: 8, allowLowEntropy: true })
    const startMs = first.clock.ms
    await stop(first)
    const again = await node(dir, startMs)
    await restoreState(again.components)
    await random(again.components, { bytes: 8, allowLowEntropy: true })
    const onDisk = decodeDrawState((await again.components.store.getDrawState()) as Uint8Array)
    expect(onDisk.counter).toBe(6)
    expect(onDisk).toEqual(again.components.state.replica.drawState())
  })

  it('an unreadable saved state is reported and the rebuilt chain used', async () => {
    const dir = await storeDir()
    const first = await node(dir)
    await first.components.store.db.put('/alara/m/draw-state', new Uint8Array([9, 9, 9]))
    await restoreState(first.components)
    expect(first.components.state.replica.drawState().counter).toBe(0)
  })

  it('concurrent draws leave the newest state on disk', async () => {
    const dir = await storeDir()
    const f = await node(dir)
    await Promise.all(
      Array.from({ length: 20 }, () => random(f.components, { bytes: 8, allowLowEntropy: true })),
    )
    const onDisk = decodeDrawState((await f.components.store.getDrawState()) as Uint8Array)
    expect(onDisk).toEqual(f.components.state.replica.drawState())
    expect(onDisk.counter).toBe(20)
  })
})
