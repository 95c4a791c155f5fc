import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { PeerInfo, PoolResponse, QualityResponse } from '@alara/daemon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  Adversary,
  forgedContribution,
  forgedVote,
  padded,
  throwAway,
  throwAways,
} from './helpers/adversary.js'
import { apiConsensus, apiOf, apiPeers, apiPool } from './helpers/api.js'
import { runCli } from './helpers/cli.js'
import type { DaemonProcess } from './helpers/daemon.js'
import {
  atNextEpoch,
  consensusOf,
  EPOCH_MS,
  epochAt,
  injectRandom,
  statusOf,
} from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { setTrust } from './helpers/node-state.js'
import { eventually, waitFor } from './helpers/wait.js'

/**
 * Sybil resistance (docs/PROTOCOL.md, "Membership"), against real daemons on loopback and
 * an outside peer (helpers/adversary.ts) that signs with throw-away identities. The three
 * honest daemons run with `lanMembers: false` and list each other (`alara trust set`):
 * everyone else is a stranger to them, the adversary included although it connects from
 * loopback.
 */

const h = new Harness('sybil')
afterAll(() => h.cleanup())

let nodes: DaemonProcess[] = []
let adversary: Adversary

async function startClosedShop(): Promise<DaemonProcess> {
  const home = await h.home()
  await writeFile(join(home, 'config.json'), `${JSON.stringify({ lanMembers: false })}\n`)
  return h.start({ home })
}

const quality = async (d: DaemonProcess): Promise<QualityResponse> =>
  (await apiOf(d)).get<QualityResponse>('/v1/quality')

/** Resident memory of a process in bytes, from /proc (Linux). */
async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1]
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(kb) * 1024
}

beforeAll(async () => {
  nodes = await Promise.all([0, 1, 2].map(() => startClosedShop()))
  await connectMesh(nodes)
  adversary = await Adversary.start(h.network)
  for (const d of nodes) await adversary.connect(d.multiaddr)
}, 180_000)

afterAll(async () => {
  await adversary?.stop()
})

describe('membership against Sybils', () => {
  it('(d) a node with no members (lanMembers false, nobody trusted) reports alone', async () => {
    const [a] = nodes as [DaemonProcess]
    const entries = await eventually(async () => {
      const closed = (await consensusOf(a, 5)).filter((e) => e.status !== 'pending')
      expect(closed.length).toBeGreaterThan(0)
      return closed
    })
    for (const e of entries) expect(e.status, `epoch ${e.epoch}`).toBe('alone')
    const status = await statusOf(a)
    expect(status.closed).toBe(false)
    expect(status.members).toBe(0)
    const human = await runCli(a.home, ['consensus', '--epochs', '3'], { json: false })
    expect(human.stdout).toContain('alara trust set PEER LEVEL')
    expect(human.stdout).toContain('alara init --network-key FILE')
  }, 60_000)

  it('(a) 8 Sybil voters: no honest node splits, strangers are not counted, later epochs agreed', async () => {
    for (const d of nodes) for (const o of nodes) if (o !== d) await setTrust(d.home, o.peerId, 0.8)
    for (const d of nodes) {
      const peers = await apiPeers(d)
      const members = peers.filter((p: PeerInfo) => p.member).map((p) => p.peerId)
      expect(members.sort()).toEqual(
        nodes
          .filter((o) => o !== d)
          .map((o) => o.peerId)
          .sort(),
      )
      expect(peers.find((p) => p.peerId === adversary.peerId)?.member).toBe(false)
    }
    const sybils = await throwAways(8)
    const sybilIds = new Set(sybils.map((s) => s.peerId.toString()))
    const stop = new AbortController()
    const voting = adversary.sybilVotes(sybils, stop.signal)
    const from = epochAt(Date.now())
    try {
      // several epochs under attack, each closed and voted by all three
      await waitFor(
        () => Promise.all(nodes.map((d) => apiConsensus(d, 20))),
        (views) =>
          views.every((v) =>
            v.some((e) => e.epoch >= from + 4 && e.voters.some((x) => sybilIds.has(x.peerId))),
          ),
        { timeoutMs: 60_000, what: 'Sybil votes seen for epochs under attack' },
      )
      for (const [i, d] of nodes.entries()) {
        const view = (await apiConsensus(d, 20)).filter((e) => e.epoch >= from)
        for (const e of view) {
          expect(e.status, `epoch ${e.epoch} on node ${i}`).not.toBe('split')
          for (const v of e.voters.filter((x) => sybilIds.has(x.peerId)))
            expect(v, `Sybil ${v.peerId} on node ${i}`).toMatchObject({
              member: false,
              counted: false,
            })
        }
        expect(view.some((e) => e.voters.some((x) => sybilIds.has(x.peerId)))).toBe(true)
      }
      // later epochs: agreed by the three, whose votes are the counted ones
      const later = epochAt(Date.now()) + 1
      await eventually(
        async () => {
          for (const d of nodes) {
            const e = (await apiConsensus(d, 20)).find((x) => x.epoch === later)
            expect(e?.status).toBe('agreed')
            const counted = e?.voters.filter((x) => x.counted).map((x) => x.peerId) ?? []
            expect(counted.sort()).toEqual(nodes.map((n) => n.peerId).sort())
          }
        },
        { timeoutMs: 30_000, what: `epoch ${later} agreed by the three` },
      )
      const shown = await runCli(nodes[0]?.home as string, ['consensus', '--epochs', '4'], {
        json: false,
      })
      console.log(
        `alara consensus on an honest node during the Sybil-vote attack:\n${shown.stdout}`,
      )
    } finally {
      stop.abort()
      await voting
    }
  }, 150_000)

  it('(b) a flood from 40 Sybil origins stores nothing, costs little memory, slows no one', async () => {
    const [target, b, c] = nodes as [DaemonProcess, DaemonProcess, DaemonProcess]
    const pid = target.pid as number
    const storedBefore = await Promise.all(nodes.map((d) => apiPool(d)))
    const rssBefore = await rssOf(pid)
    let rssMax = rssBefore
    const sampler = setInterval(() => {
      void rssOf(pid).then((r) => {
        rssMax = Math.max(rssMax, r)
      })
    }, 200)
    const sybils = await throwAways(40)
    // signed ahead (a busy machine signs about a thousand a second), published for 10 s
    const batches = await adversary.presignFlood(sybils, 64, 10)
    const flooding = adversary.flood(batches)
    const firstEpoch = Math.min(...batches.keys())
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, firstEpoch * 1000 - Date.now())))
    // honest injections during the flood still reach every node at once
    const reachMs: number[] = []
    for (let round = 0; round < 3; round++) {
      await new Promise((resolve) => setTimeout(resolve, 2000))
      const before = await Promise.all([target, c].map((d) => apiPool(d)))
      const start = Date.now()
      await injectRandom(b, 256)
      await waitFor(
        () => Promise.all([target, c].map((d) => apiPool(d))),
        (pools: PoolResponse[]) => pools.every((p, i) => p.stored > (before[i]?.stored ?? 0)),
        { timeoutMs: 10_000, intervalMs: 50, what: 'an honest injection to reach A and C' },
      )
      reachMs.push(Date.now() - start)
    }
    const sent = await flooding
    clearInterval(sampler)
    // at least one full epoch of 40 × 64 (a loaded two-core machine publishes fewer than all ten)
    expect(sent).toBeGreaterThanOrEqual(40 * 64)
    for (const [i, d] of nodes.entries()) {
      const pool = await apiPool(d)
      // only the three honest injections were added
      expect(pool.stored - (storedBefore[i]?.stored ?? 0), `node ${i}`).toBe(3)
      const origins = (await quality(d)).origins.map((o) => o.peerId)
      for (const s of sybils) expect(origins).not.toContain(s.peerId.toString())
    }
    const grownMb = (rssMax - rssBefore) / 2 ** 20
    console.log(
      `flood: ${sent} contributions sent; target RSS +${grownMb.toFixed(1)} MB; honest reach ${reachMs.join(', ')} ms`,
    )
    expect(grownMb).toBeLessThan(48)
    // "within a second or two": the median of the three rounds. A round that meets the
    // flood's opening burst has been seen at 4.5 s (docs/BENCHMARKS.md, "Sybil flood");
    // each round is still bounded.
    const median = [...reachMs].sort((x, y) => x - y)[1] as number
    expect(median).toBeLessThan(2000)
    for (const ms of reachMs) expect(ms).toBeLessThan(8000)
  }, 240_000)

  it('(c) a forged copy first does not suppress the genuine message; a padded copy is refused', async () => {
    // a member origin (listed by all three) whose messages the attacker relays
    const member = await throwAway()
    const other = await throwAway()
    for (const d of nodes)
      for (const who of [member, other]) await setTrust(d.home, who.peerId.toString(), 0.8)
    // a second outside peer with a clean score sends the genuine messages
    const relay = await Adversary.start(h.network)
    try {
      const [a] = nodes as [DaemonProcess]
      await relay.connect(a.multiaddr)
      // Gossip may fill only an epoch not yet closed: published early in an epoch for the
      // next one (one ahead is allowed), the genuine message has ~2.5 s to reach a node
      // before its epoch closes (then repair carries it to the others), not 0.5–1.5 s.
      await atNextEpoch()
      const nowMs = Date.now() + EPOCH_MS
      const genuine = await adversary.contribution(member, { seq: 1, bitLength: 256, nowMs })
      await adversary.publishContribution(forgedContribution(genuine))
      await relay.publishContribution(genuine)
      const pad = await adversary.contribution(other, { seq: 1, bitLength: 256, nowMs })
      await relay.publishContribution(padded(pad))
      const r = epochAt(Date.now()) - 2
      const vote = await adversary.vote(member, r)
      await adversary.publishVote(forgedVote(vote))
      await relay.publishVote(vote)
      await relay.publishVote(padded(await adversary.vote(other, r)))
      const contributionsOf = (peers: PeerInfo[], id: string) =>
        peers.find((p) => p.peerId === id)?.contributions
      await eventually(
        async () => {
          for (const d of nodes) {
            const peers = await apiPeers(d)
            expect(contributionsOf(peers, member.peerId.toString())).toBe(1)
            const voters = (await apiConsensus(d, 20)).find((e) => e.epoch === r)?.voters ?? []
            expect(voters.map((v) => v.peerId)).toContain(member.peerId.toString())
          }
        },
        { timeoutMs: 20_000, what: 'the genuine contribution and vote on every node' },
      )
      for (const d of nodes) {
        expect(contributionsOf(await apiPeers(d), other.peerId.toString())).toBe(0)
        const voters = (await apiConsensus(d, 20)).find((e) => e.epoch === r)?.voters ?? []
        expect(voters.map((v) => v.peerId)).not.toContain(other.peerId.toString())
      }
    } finally {
      await relay.stop()
    }
  }, 90_000)
})
