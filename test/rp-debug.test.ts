import { mkdirSync, writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiConsensus, apiRequest, readToken } from './helpers/api.js'
import { randomBits } from './helpers/bits.js'
import type { DaemonProcess } from './helpers/daemon.js'
import { EPOCH_MS, epochAt, startNodes } from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { waitFor } from './helpers/wait.js'

/**
 * DESIGN.md "Catch-up", issue 23: three daemons at 1 s epochs, A and B injecting; C is
 * SIGKILLed, kept down ~3 s while they inject, and restarted on the same home, 10 times,
 * each restart timed so that its ready line lands at a chosen phase of the epoch (spread
 * over the whole epoch, among them just after a boundary, where an epoch closed before
 * the start used to be frozen on the clock before catch-up). Each time, C must end with
 * A's and B's final digest for every epoch since the previous restart, and never with
 * another one final. The epoch open at ready is checked with the next restart's.
 * ALARA_RESTART_SUMMARY names a file for the figures (epochs from
 * ready to the same digests).
 */

/** ALARA_RESTARTS (scripts/bench-catchup) sets more; the check is 10 */
const RESTARTS = Number(process.env.ALARA_RESTARTS ?? 10)
/** ready at these ms after an epoch boundary, spread over the epoch: 0, 100, … 900 for 10 */
const PHASES = Array.from({ length: RESTARTS }, (_, i) => (i * EPOCH_MS) / RESTARTS)
const DOWN_MS = 3_000
const h = new Harness('rp-debug')
const ENV = { ...process.env, ALARA_LOG: 'debug' }
mkdirSync('/tmp/rp', { recursive: true })
let restartNo = 0
const dump = (d: DaemonProcess, name: string) => writeFileSync(`/tmp/rp/${name}.log`, `${d.stdout}\n----STDERR----\n${d.stderr}`)
let a: DaemonProcess
let b: DaemonProcess
let c: DaemonProcess

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

beforeAll(async () => {
  ;[a, b, c] = (await startNodes(h, 3, { env: ENV })) as [DaemonProcess, DaemonProcess, DaemonProcess]
  await connectMesh([a, b, c])
})
afterAll(() => h.cleanup())

/** A and B each inject every ~2 s (one of them every second), until stopped. */
function injecting(nodes: DaemonProcess[]) {
  let running = true
  const done = (async () => {
    const tokens = await Promise.all(nodes.map((d) => readToken(d.home)))
    for (let i = 0; running; i++) {
      const k = i % nodes.length
      const d = nodes[k] as DaemonProcess
      await apiRequest(d.apiUrl, 'POST', '/v1/inject', {
        authorization: `Bearer ${tokens[k]}`,
        rawBody: JSON.stringify({ bits: randomBits(64) }),
        timeoutMs: 10_000,
      }).catch(() => undefined)
      await sleep(EPOCH_MS)
    }
  })()
  return async () => {
    running = false
    await done
  }
}

/** Final digests by epoch, over [from, to]. */
async function finals(d: DaemonProcess, from: number, to: number): Promise<Map<number, string>> {
  const out = new Map<number, string>()
  for (const e of await apiConsensus(d, 600))
    if (e.final && e.epoch >= from && e.epoch <= to) out.set(e.epoch, e.digest)
  return out
}

describe('restart at every phase of the epoch', () => {
  it(
    `${RESTARTS} SIGKILLs and restarts: the restarted node freezes the peers’ digests`,
    async () => {
      const homeC = c.home
      const stopInjecting = injecting([a, b])
      const figures: Array<{ phaseMs: number; readyPhaseMs: number; epochsToAgree: number }> = []
      let startupMs = 1_500 // first guess; then the last restart's spawn → ready time
      let since = epochAt(Date.now())
      try {
        for (const phaseMs of PHASES) {
          dump(c, `c-${restartNo++}`)
          expect((await c.kill9()).signal).toBe('SIGKILL')
          const killedEpoch = epochAt(Date.now())
          // down ≥ DOWN_MS, then spawned so that ready lands at `phaseMs` into an epoch
          const earliest = Date.now() + DOWN_MS
          let spawnAt =
            Math.ceil((earliest + startupMs) / EPOCH_MS) * EPOCH_MS + phaseMs - startupMs
          if (spawnAt < earliest) spawnAt += EPOCH_MS
          await sleep(spawnAt - Date.now())
          const spawned = Date.now()
          c = await h.start({ home: homeC, bootstrap: [a.multiaddr, b.multiaddr], env: ENV })
          const readyMs = Date.now()
          startupMs = readyMs - spawned
          const readyEpoch = epochAt(readyMs)
          // every epoch since the previous restart that ended before ready (the one closed
          // but not final at the start among them): final on all three with one digest
          const upTo = readyEpoch - 1
          const range = `epochs ${since}..${upTo} (killed in ${killedEpoch}, ready in ${readyEpoch} at +${readyMs % EPOCH_MS} ms)`
          const agreed = await waitFor(
            async () => {
              const [fa, fb, fc] = await Promise.all([
                finals(a, since, upTo),
                finals(b, since, upTo),
                finals(c, since, upTo),
              ])
              // plain objects, so that a timeout's "last seen" shows them
              const plain = (m: Map<number, string>) =>
                Object.fromEntries([...m].map(([e, d]) => [e, d.slice(0, 8)]))
              return { fa: plain(fa), fb: plain(fb), fc: plain(fc), at: Date.now() }
            },
            ({ fa, fb, fc }) => {
              for (let e = since; e <= upTo; e++) {
                const digest = fa[e]
                if (digest === undefined || fb[e] !== digest || fc[e] !== digest) return false
              }
              return true
            },
            { what: `C with A's and B's final digests over ${range}`, timeoutMs: 90_000 },
          )
          // and C never froze another digest on the way
          for (const [e, digest] of Object.entries(agreed.fc))
            expect(digest, `C's epoch ${e}`).toBe(agreed.fa[Number(e)])
          figures.push({
            phaseMs,
            readyPhaseMs: readyMs % EPOCH_MS,
            epochsToAgree: Math.max(0, epochAt(agreed.at) - readyEpoch),
          })
          since = upTo + 1
        }
      } catch (err) {
        dump(c, `c-${restartNo}-failed`)
        dump(a, 'a')
        dump(b, 'b')
        throw err
      } finally {
        await stopInjecting()
      }
      const epochs = figures.map((f) => f.epochsToAgree).sort((x, y) => x - y)
      const summary = {
        restarts: figures,
        epochsToAgreeP50: epochs[Math.floor(epochs.length / 2)],
        epochsToAgreeMax: epochs.at(-1),
      }
      console.log(`restart phases: ${JSON.stringify(summary)}`)
      if (process.env.ALARA_RESTART_SUMMARY !== undefined)
        await writeFile(process.env.ALARA_RESTART_SUMMARY, `${JSON.stringify(summary)}\n`)
      expect(figures).toHaveLength(RESTARTS)
    },
    RESTARTS * 90_000,
  )
})
