import { afterAll, describe, expect, it } from 'vitest'
import { randomBits } from './helpers/bits.js'
import { cliJson, describeRun, lines, runCli } from './helpers/cli.js'
import { Harness } from './helpers/harness.js'
import { readRepoFile } from './helpers/home.js'
import { idOf, injectBits, pool, trustList } from './helpers/node-state.js'
import { randomPeerId } from './helpers/peer-id.js'
import { eventually } from './helpers/wait.js'

/**
 * Crash safety (OPERATIONS.md "Durability"): a contribution acknowledged by `inject`
 * and the trust store are on disk before the command returns, so a SIGKILL right after
 * loses neither; the identity is the repo's; the killed daemon's stale repo.lock is
 * recognised by its pid and taken over. One daemon without peers, so nothing can come
 * back by sync: what survives is what was written.
 */

const h = new Harness('restart')
afterAll(() => h.cleanup())

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('restart', () => {
  it('SIGKILL right after inject keeps the contribution, the identity and the trust store', async () => {
    const home = await h.home('restart')
    const first = await h.start({ home })
    const before = await idOf(home)
    expect(before.peerId).toBe(first.peerId)

    const trusted = randomPeerId()
    const paused = randomPeerId()
    await cliJson(home, ['trust', 'set', trusted, '0.3'])
    await cliJson(home, ['trust', 'set', paused, '0.6', '--inactive'])
    const trustBefore = await trustList(home)
    expect(trustBefore).toHaveLength(2)

    const bits = randomBits(48)
    const injected = await injectBits(home, bits)
    // kill -9 as soon as the acknowledgement is in: nothing gets the chance to flush later
    const exit = await first.kill9()
    expect(exit.signal).toBe('SIGKILL')

    // the killed daemon's lock and API file are left behind
    const stalePid = Number.parseInt((await readRepoFile(home, 'repo.lock')) ?? '', 10)
    expect(stalePid).toBe(first.pid)
    expect(pidAlive(stalePid)).toBe(false)
    // the stale API file must not fool the CLI: nobody answers there
    const dead = await runCli(home, ['pool'])
    expect(dead.code, describeRun(dead)).toBe(1)
    expect(lines(dead.stderr)).toHaveLength(1)
    expect(dead.stderr).toMatch(/no ALARA daemon/i)

    // the same home again: the stale lock is cleared by pid, the node comes back
    const second = await h.start({ home })
    expect(second.peerId).toBe(before.peerId)
    expect(Number.parseInt((await readRepoFile(home, 'repo.lock')) ?? '', 10)).toBe(second.pid)

    expect((await idOf(home)).peerId).toBe(before.peerId)
    expect(await trustList(home)).toEqual(trustBefore)
    expect(await trustList(home)).toEqual(
      expect.arrayContaining([
        { peerId: trusted, trust: 0.3, active: true, source: 'manual' },
        { peerId: paused, trust: 0.6, active: false, source: 'manual' },
      ]),
    )

    const p = await pool(home)
    expect(p.stored).toBeGreaterThanOrEqual(1)
    expect(p.folded).toBeGreaterThanOrEqual(1)
    expect(p.bits).toContain(bits)

    // the epoch's beacon is made of that very contribution, verifiable from storage
    const beacon = await eventually(
      () =>
        cliJson<{ epoch: number; contributions: string[]; verified?: boolean }>(home, [
          'beacon',
          String(injected.epoch),
          '--verify',
        ]),
      { intervalMs: 250, what: `the beacon of epoch ${injected.epoch}` },
    )
    expect(beacon.epoch).toBe(injected.epoch)
    expect(beacon.contributions).toEqual(injected.ids)
    expect(beacon.verified).toBe(true)

    // and it goes on signing: a new contribution joins the old one
    await injectBits(home, randomBits(32))
    expect((await pool(home)).stored).toBe(p.stored + 1)
  })

  it('SIGKILL right after private draws keeps the draw chain: the counter carries on', async () => {
    const home = await h.home('draws')
    const first = await h.start({ home })
    for (let i = 0; i < 3; i++)
      await cliJson(home, ['random', '--bytes', '16', '--allow-low-entropy'])
    // the draw was answered, so its chain state is on disk: kill -9 at once
    await first.kill9()
    const second = await h.start({ home })
    await eventually(
      () => expect(second.stderr).toMatch(/restored the private-draw chain \(3 draws so far\)/),
      { what: 'the restored draw chain in the log' },
    )
    await cliJson(home, ['random', '--bytes', '16', '--allow-low-entropy'])
    await second.stop()
    // a clean stop saves it as well, with the draw made after the restart
    const third = await h.start({ home })
    await eventually(
      () => expect(third.stderr).toMatch(/restored the private-draw chain \(4 draws so far\)/),
      { what: 'the restored draw chain in the log' },
    )
  })
})
