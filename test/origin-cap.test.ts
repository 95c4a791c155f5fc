import { randomBytes } from 'node:crypto'
import {
  contributionId,
  DEFAULT_PARAMS,
  encodeContribution,
  originOf,
  signContribution,
  toHex,
} from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiConsensus, apiRequest, readToken } from './helpers/api.js'
import { cliJson } from './helpers/cli.js'
import type { DaemonProcess } from './helpers/daemon.js'
import { EPOCH_MS, epochAt, finalAtMs, startNodes } from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { LateVoter } from './helpers/late-voter.js'
import { connectMesh } from './helpers/network.js'
import { waitFor } from './helpers/wait.js'

/**
 * DESIGN.md "Per-origin caps decide by the set, not by arrival": one member origin signs
 * different contributions for different honest nodes in one epoch, more than maxPerEpoch
 * (64) in all but within 2 × maxPerEpoch, each batch gossiped through a relay connected to
 * one node only. A cap by arrival kept each node's first 64 (a different set on each);
 * by the set every node admits all of them, credits the origin's 64 smallest ids, and
 * the final digests agree.
 */

const PER_NODE = 40 // 3 × 40 = 120: above 64, within 128
const h = new Harness('origin-cap')
let nodes: DaemonProcess[]
const relays: LateVoter[] = []

beforeAll(async () => {
  nodes = await startNodes(h, 3)
  await connectMesh(nodes)
  for (const d of nodes) {
    const relay = await LateVoter.start(h.network, EPOCH_MS)
    await relay.connect(d.multiaddr) // this node only
    relays.push(relay)
  }
}, 120_000)
afterAll(async () => {
  for (const r of relays) await r.stop()
  await h.cleanup()
})

describe('per-origin caps by the set', () => {
  it(`${3 * PER_NODE} items of one origin, ${PER_NODE} through each node: one final set`, async () => {
    expect(3 * PER_NODE).toBeGreaterThan(DEFAULT_PARAMS.maxPerEpoch)
    expect(3 * PER_NODE).toBeLessThanOrEqual(2 * DEFAULT_PARAMS.maxPerEpoch)
    const key = await generateKeyPair('Ed25519')
    const origin = peerIdFromPrivateKey(key)
    for (const d of nodes) await cliJson(d.home, ['trust', 'set', origin.toString(), '0.8'])
    // signed ahead for an epoch to come, sent at its start
    const r = epochAt(Date.now()) + 3
    const batches: Uint8Array[][] = []
    const ids: string[] = []
    let seq = 1
    for (let b = 0; b < 3; b++) {
      const batch: Uint8Array[] = []
      for (let i = 0; i < PER_NODE; i++) {
        const signed = await signContribution(key, {
          network: h.network,
          origin: originOf(origin),
          seq: seq++,
          epoch: r,
          timestampMs: r * EPOCH_MS + 50 + i,
          bitLength: 256,
          bits: new Uint8Array(randomBytes(32)),
        })
        ids.push(toHex(contributionId(signed)))
        batch.push(encodeContribution(signed))
      }
      batches.push(batch)
    }
    await new Promise((res) => setTimeout(res, Math.max(0, r * EPOCH_MS + 20 - Date.now())))
    await Promise.all(
      relays.map(async (relay, b) => {
        for (const bytes of batches[b] ?? []) await relay.publishContribution(bytes)
      }),
    )
    await new Promise((res) => setTimeout(res, Math.max(0, finalAtMs(r) - Date.now())))
    const views = await waitFor(
      () => Promise.all(nodes.map((d) => apiConsensus(d, 50))),
      (vs) => vs.every((v) => v.find((e) => e.epoch === r)?.final === true),
      { what: `epoch ${r} final on every node` },
    )
    const digests = views.map((v) => v.find((e) => e.epoch === r)?.digest)
    expect(new Set(digests).size, `final digests of epoch ${r}: ${digests}`).toBe(1)
    const tokens = await Promise.all(nodes.map((d) => readToken(d.home)))
    for (const [i, d] of nodes.entries()) {
      const reply = await apiRequest(d.apiUrl, 'GET', `/v1/beacon/${r}`, {
        authorization: `Bearer ${tokens[i]}`,
      })
      const folded = (reply.body as { contributions: string[] }).contributions
      expect(ids.filter((id) => folded.includes(id)).length, d.home).toBe(ids.length)
    }
  }, 300_000)
})
