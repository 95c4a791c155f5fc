import { writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiConsensus, apiRequest, readToken } from './helpers/api.js'
import { randomBits } from './helpers/bits.js'
import type { DaemonProcess } from './helpers/daemon.js'
import { startNodes } from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { waitFor } from './helpers/wait.js'

/**
 * Issue 24: admission after close must not cost short epochs their agreement. Five
 * daemons at 250 ms epochs (graceMs 125, roundMs 62, final at end + 750 ms), each
 * injecting a few times an epoch: over 100 consecutive epochs, at least 99 end with one
 * final digest on all five. ALARA_SHORT_SUMMARY names a file for the figures.
 */

const EPOCH_MS = 250
const EPOCHS = 100
const h = new Harness('short-epochs')
let nodes: DaemonProcess[]

beforeAll(async () => {
  nodes = await startNodes(h, 5, { epochMs: EPOCH_MS })
  await connectMesh(nodes)
}, 180_000)
afterAll(() => h.cleanup())

describe('250 ms epochs on five daemons', () => {
  it(`agree on at least ${EPOCHS - 1} of ${EPOCHS} epochs`, async () => {
    const tokens = await Promise.all(nodes.map((d) => readToken(d.home)))
    const first = Math.floor(Date.now() / EPOCH_MS) + 4
    const last = first + EPOCHS - 1
    let running = true
    const injecting = Promise.all(
      nodes.map(async (d, i) => {
        while (running) {
          await apiRequest(d.apiUrl, 'POST', '/v1/inject', {
            authorization: `Bearer ${tokens[i]}`,
            rawBody: JSON.stringify({ bits: randomBits(64) }),
            timeoutMs: 10_000,
          }).catch(() => undefined)
          await new Promise((r) => setTimeout(r, EPOCH_MS / 2))
        }
      }),
    )
    try {
      await waitFor(
        () => Math.floor(Date.now() / EPOCH_MS),
        (current) => current > last,
        { what: `epoch ${last} to end`, timeoutMs: (EPOCHS + 20) * EPOCH_MS + 60_000 },
      )
    } finally {
      running = false
      await injecting
    }
    const views = await waitFor(
      () => Promise.all(nodes.map((d) => apiConsensus(d, 400))),
      (vs) => vs.every((v) => v.find((e) => e.epoch === last)?.final === true),
      { what: `epoch ${last} final on every node` },
    )
    let agreed = 0
    let withContributions = 0
    const split: number[] = []
    for (let r = first; r <= last; r++) {
      const entries = views.map((v) => v.find((e) => e.epoch === r))
      const digests = entries.map((e) => (e?.final === true ? e.digest : undefined))
      if (digests.every((d) => d !== undefined && d === digests[0])) agreed++
      else split.push(r)
      if ((entries[0]?.count ?? 0) > 0) withContributions++
    }
    const summary = { epochs: EPOCHS, agreed, withContributions, split }
    console.log(`short epochs: ${JSON.stringify(summary)}`)
    if (process.env.ALARA_SHORT_SUMMARY !== undefined)
      await writeFile(process.env.ALARA_SHORT_SUMMARY, `${JSON.stringify(summary)}\n`)
    expect(withContributions).toBeGreaterThan(EPOCHS / 2)
    expect(agreed, `split or not final everywhere: ${split}`).toBeGreaterThanOrEqual(EPOCHS - 1)
  }, 600_000)
})
