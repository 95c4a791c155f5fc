import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeCommit, decodeReveal, toHex } from '@alara/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { type FakeComponents, fakeComponents } from '../test-helpers/fake-components.js'
import { AlphaStore } from './alpha-store.js'
import { BeaconIngest } from './beacon-ingest.js'
import { restoreBeacons } from './beacon-restore.js'
import { BeaconService } from './beacon-service.js'
import { RecoveryRunner } from './recovery-runner.js'

/**
 * The version-2 life cycle of one node, its steps called by hand on a fake clock: commit
 * (α kept in the repo first), freeze, reveal (α deleted), combine; and the state back
 * from the store after a restart.
 */

const open: Array<{ f: FakeComponents; home: string; service: BeaconService }> = []
afterEach(async () => {
  for (const { f, home, service } of open.splice(0)) {
    await service.stop()
    await f.close()
    await rm(home, { recursive: true, force: true })
  }
})

async function node(storeDir?: string) {
  const f = await fakeComponents(storeDir === undefined ? {} : { storeDir })
  const home = await mkdtemp(join(tmpdir(), 'alara-beacon-'))
  const published: Array<{ kind: string; data: Uint8Array }> = []
  const ingest = new BeaconIngest(f.components, (change) => service.onChange(change))
  const service: BeaconService = new BeaconService(f.components, {
    ingest,
    publisher: {
      publishCommit: async (_r, data) => void published.push({ kind: 'commit', data }),
      publishReveal: async (_r, data) => void published.push({ kind: 'reveal', data }),
      publishRecovery: async (_r, data) => void published.push({ kind: 'recovery', data }),
    },
    request: async () => {
      throw new Error('no peers here')
    },
    alphas: new AlphaStore(home),
    runner: new RecoveryRunner(),
    recoveryStaggerMs: 0,
    revote: () => {},
  })
  open.push({ f, home, service })
  return { f, home, service, published, alphas: new AlphaStore(home) }
}

describe('the version-2 beacon at one node', () => {
  it('commits, freezes, reveals, combines; α lives from commit to reveal only', async () => {
    const { f, service, published, alphas } = await node()
    const { params } = f.components
    const r = Math.floor(f.clock.ms / params.epochMs)
    f.clock.ms = (r + 1) * params.epochMs - 200
    await service.ownCommit.prepare(r)
    expect(await alphas.epochs()).toEqual([r])
    f.clock.ms = (r + 1) * params.epochMs - 50
    await service.ownCommit.commit(r)
    const commit = decodeCommit(published[0]?.data as Uint8Array)
    expect(published.map((p) => p.kind)).toEqual(['commit'])
    expect(commit.epoch).toBe(r)
    f.components.state.closed.add(r)
    await service.freeze(r)
    const beacon = f.components.state.beacons.ifAny(r)
    expect(beacon?.frozen?.members.map((m) => m.originHex)).toEqual([f.components.selfHex])
    expect(beacon?.settled).toBe(false)
    await service.reveal(r)
    expect(decodeReveal(published[1]?.data as Uint8Array).epoch).toBe(r)
    expect(await alphas.epochs()).toEqual([])
    expect(beacon?.outcome?.status).toBe('revealed')
    expect(f.eventsOf('beacon:settled')).toMatchObject([{ epoch: r, status: 'revealed' }])
  })

  it('a commit moment the loop ran late commits until close, stamped in the epoch', async () => {
    const { f, service, published } = await node()
    const { params } = f.components
    const r = Math.floor(f.clock.ms / params.epochMs)
    await service.ownCommit.prepare(r)
    f.clock.ms = (r + 1) * params.epochMs + params.graceMs - 1
    await service.ownCommit.commit(r)
    const commit = decodeCommit(published[0]?.data as Uint8Array)
    expect(commit.epoch).toBe(r)
    expect(commit.timestampMs).toBe((r + 1) * params.epochMs - 1)
  })

  it('a commit moment after close commits nothing and drops its α', async () => {
    const { f, service, published, alphas } = await node()
    const { params } = f.components
    const r = Math.floor(f.clock.ms / params.epochMs)
    await service.ownCommit.prepare(r)
    f.clock.ms = (r + 1) * params.epochMs + params.graceMs
    await service.ownCommit.commit(r)
    expect(published).toEqual([])
    expect(await alphas.epochs()).toEqual([])
  })

  it('a restart finds the commits, the frozen set and the reveals it stored', async () => {
    const a = await node()
    const { params } = a.f.components
    const r = Math.floor(a.f.clock.ms / params.epochMs)
    a.f.clock.ms = (r + 1) * params.epochMs - 50
    await a.service.ownCommit.prepare(r)
    await a.service.ownCommit.commit(r)
    a.f.components.state.closed.add(r)
    await a.service.freeze(r)
    await a.service.reveal(r)
    const before = a.f.components.state.beacons.ifAny(r)
    const dir = a.f.components.store
    await a.service.stop()
    await dir.close()
    const storeDir = (dir.db as unknown as { location: string }).location
    const b = await node(storeDir)
    await restoreBeacons(b.f.components)
    const after = b.f.components.state.beacons.ifAny(r)
    expect(after?.frozen?.digest).toEqual(before?.frozen?.digest)
    expect([...(after?.reveals.keys() ?? [])]).toEqual([a.f.components.selfHex])
    const outcome = after?.computeOutcome(b.f.components.timelock.h)
    expect(outcome?.status).toBe('revealed')
    const was = before?.outcome
    if (was === undefined || was.status === 'pending' || outcome?.status !== 'revealed')
      throw new Error('the epoch was revealed before and after the restart')
    expect(toHex(outcome.beacon)).toBe(toHex(was.beacon))
  })
})
