import { writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiConsensus, apiInject, apiRequest, readToken } from './helpers/api.js'
import { randomBits } from './helpers/bits.js'
import type { DaemonProcess } from './helpers/daemon.js'
import { closeAtMs, EPOCH_MS, epochAt, finalAtMs, startNodes } from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { LateVoter } from './helpers/late-voter.js'
import { connectMesh } from './helpers/network.js'
import { waitFor } from './helpers/wait.js'

/**
 * Issue 24, DESIGN.md "Admission after close": a dishonest LAN member (helpers/late-voter,
 * written from the spec) signs an item X of epoch r that it never gossips and votes "the
 * honest set + X" at chosen moments after close, just before each round boundary and just
 * before the honest nodes freeze, then serves X by sync to everyone at once, to one node
 * only (the others' requests held unanswered), or votes again without X. Whatever it
 * does, the three honest daemons end every attacked epoch with one final digest.
 * ALARA_ATTACK_SUMMARY names a file for the figures.
 */

interface Attack {
  name: string
  /** when the vote goes out, ms after close(r) */
  atMs: (t: { roundMs: number; graceMs: number; finalMs: number }) => number
  /** who is answered: everyone, or one honest node (index) */
  target: 'all' | number
  /** a second vote right after, without X */
  withdraw?: boolean
}

const ROUND_MS = 250 // graceMs 500 / 2 at 1 s epochs
const before = (k: number, delta: number) => (t: { roundMs: number }) => k * t.roundMs - delta
const ATTACKS: Attack[] = [
  ...[1, 2, 3, 4].map((k) => ({
    name: `all, 20 ms before round ${k} ends`,
    atMs: before(k, 20),
    target: 'all' as const,
  })),
  ...[1, 2, 3, 4].map((k, i) => ({
    name: `one node, 20 ms before round ${k} ends`,
    atMs: before(k, 20),
    target: i % 3,
  })),
  { name: 'one node, 100 ms into round 1', atMs: () => 100, target: 1 },
  { name: 'all, then a vote without X', atMs: before(1, 100), target: 'all', withdraw: true },
  { name: 'all, 1 s before final', atMs: (t) => t.finalMs - t.graceMs - 1000, target: 'all' },
  { name: 'one node, 20 ms before final', atMs: (t) => t.finalMs - t.graceMs - 20, target: 2 },
]

const h = new Harness('admission-attack')
let nodes: DaemonProcess[]
let attacker: LateVoter

const sleepUntil = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())))

beforeAll(async () => {
  nodes = await startNodes(h, 3)
  await connectMesh(nodes)
  attacker = await LateVoter.start(h.network, EPOCH_MS)
  for (const d of nodes) await attacker.connect(d.multiaddr)
  // a member on every node: a LAN peer, connected from loopback
  await waitFor(
    () => Promise.all(nodes.map((d) => apiConsensus(d, 5))),
    () => true,
    { what: 'the daemons answering' },
  )
}, 120_000)
afterAll(async () => {
  await attacker?.stop()
  await h.cleanup()
})

/** Every honest node injects a little every epoch until stopped. */
function injecting() {
  let running = true
  const done = (async () => {
    const tokens = await Promise.all(nodes.map((d) => readToken(d.home)))
    while (running) {
      await Promise.all(
        nodes.map((d, i) =>
          apiInject(d, tokens[i] as string, randomBits(64)).catch(() => undefined),
        ),
      )
      await new Promise((r) => setTimeout(r, EPOCH_MS / 2))
    }
  })()
  return async () => {
    running = false
    await done
  }
}

describe('admission after close: a member cannot split final sets', () => {
  it(`${ATTACKS.length} attacked epochs, one final digest on every honest node`, async () => {
    const timing = { roundMs: ROUND_MS, graceMs: h.timing.graceMs, finalMs: h.timing.finalMs }
    const stop = injecting()
    // one attack an epoch, side by side: each epoch's answers follow its own policy
    const base = epochAt(Date.now()) + 2
    const attacked: Array<{ name: string; epoch: number; hidden: string }> = []
    try {
      await Promise.all(
        ATTACKS.map(async (attack, i) => {
          const r = base + i
          const hidden = await attacker.hiddenItem(r)
          const target = attack.target
          attacker.policies.set(
            r,
            target === 'all'
              ? { kind: 'all' }
              : { kind: 'only', peerId: nodes[target]?.peerId ?? '' },
          )
          await sleepUntil(closeAtMs(r) + attack.atMs(timing))
          const honest = attacker.honestIds(r)
          await attacker.vote(r, [...honest, hidden])
          if (attack.withdraw === true) await attacker.vote(r, honest)
          attacked.push({ name: attack.name, epoch: r, hidden })
        }),
      )
      await sleepUntil(finalAtMs(base + ATTACKS.length - 1) + 200)
    } finally {
      await stop()
    }
    attacked.sort((a, b) => a.epoch - b.epoch)
    const last = attacked.at(-1)?.epoch ?? 0
    const finals = await waitFor(
      () => Promise.all(nodes.map((d) => apiConsensus(d, 200))),
      (views) =>
        views.every((v) => attacked.every((a) => v.find((e) => e.epoch === a.epoch)?.final)),
      { what: `every attacked epoch (up to ${last}) final on every node`, timeoutMs: 60_000 },
    )
    const rows = attacked.map((a) => {
      const digests = finals.map((v) => v.find((e) => e.epoch === a.epoch)?.digest)
      return { ...a, digests, split: new Set(digests).size !== 1 }
    })
    const tokens = await Promise.all(nodes.map((d) => readToken(d.home)))
    let admitted = 0
    for (const row of rows) {
      const reply = await apiRequest(nodes[0]?.apiUrl ?? '', 'GET', `/v1/beacon/${row.epoch}`, {
        authorization: `Bearer ${tokens[0]}`,
      })
      const contributions = (reply.body as { contributions?: string[] }).contributions ?? []
      if (contributions.includes(row.hidden)) admitted++
    }
    const summary = {
      attacked: rows.length,
      splits: rows.filter((r) => r.split).length,
      hiddenItemAdmitted: admitted,
      attacks: rows.map((r) => ({ name: r.name, epoch: r.epoch, split: r.split })),
    }
    console.log(`admission attack: ${JSON.stringify(summary)}`)
    if (process.env.ALARA_ATTACK_SUMMARY !== undefined)
      await writeFile(process.env.ALARA_ATTACK_SUMMARY, `${JSON.stringify(summary)}\n`)
    for (const row of rows)
      expect(new Set(row.digests).size, `${row.name} (epoch ${row.epoch}): ${row.digests}`).toBe(1)
    // the attacker really was asked: its votes were counted and repaired from
    expect(attacker.asked.some((a) => a.kind === 'behind' || a.kind === 'ids')).toBe(true)
  }, 600_000)
})
