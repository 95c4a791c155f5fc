import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { apiRequest, readToken } from './helpers/api.js'
import { randomBits } from './helpers/bits.js'
import { cliJson } from './helpers/cli.js'
import type { DaemonProcess } from './helpers/daemon.js'
import type { BeaconJson } from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import type { InjectJson } from './helpers/node-state.js'
import { idOf, trustList } from './helpers/node-state.js'
import { randomPeerId } from './helpers/peer-id.js'
import { eventually } from './helpers/wait.js'

/**
 * Crash safety under load: one daemon (no peers, so nothing comes back by sync) gets an
 * inject every 100 ms through the control API and is SIGKILLed at random moments, then
 * restarted on the same home. After every restart each contribution whose inject was
 * acknowledged is in its epoch's beacon, the identity and the trust store are unchanged,
 * and the start never fails on the lock. ALARA_SOAK_KILLS sets the number of kills
 * (scripts/soak-kill runs 50); ALARA_SOAK_SUMMARY names a file for the figures.
 */

const KILLS = Number(process.env.ALARA_SOAK_KILLS ?? 8)
const INJECT_EVERY_MS = 100
const h = new Harness('kill-loop')
afterAll(() => h.cleanup())

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Injects every 100 ms until stopped; records what was acknowledged. */
function injector(d: DaemonProcess, token: string, acked: Map<number, Set<string>>) {
  let running = true
  let sent = 0
  let ok = 0
  const refused: Record<string, number> = {}
  const done = (async () => {
    while (running) {
      const next = sleep(INJECT_EVERY_MS)
      sent++
      const reply = await apiRequest(d.apiUrl, 'POST', '/v1/inject', {
        authorization: `Bearer ${token}`,
        rawBody: JSON.stringify({ bits: randomBits(64) }),
        timeoutMs: 5_000,
      }).catch(() => undefined)
      if (reply?.status !== 200) {
        const why = reply === undefined ? 'no answer' : `HTTP ${reply.status}`
        refused[why] = (refused[why] ?? 0) + 1
      } else {
        const body = reply.body as InjectJson
        ok++
        const ids = acked.get(body.epoch) ?? new Set<string>()
        for (const id of body.ids) ids.add(id)
        acked.set(body.epoch, ids)
      }
      await next
    }
  })()
  return {
    stop: async (): Promise<{ sent: number; ok: number; refused: Record<string, number> }> => {
      running = false
      await done
      return { sent, ok, refused }
    },
  }
}

/** Every acknowledged id is in its epoch's beacon (asked over the API: one call an epoch). */
async function checkAllThere(
  d: DaemonProcess,
  token: string,
  acked: Map<number, Set<string>>,
): Promise<void> {
  for (const [epoch, ids] of acked) {
    const beacon = await eventually(
      async () => {
        const reply = await apiRequest(d.apiUrl, 'GET', `/v1/beacon/${epoch}`, {
          authorization: `Bearer ${token}`,
        })
        if (reply.status !== 200) throw new Error(`HTTP ${reply.status}: ${reply.text}`)
        return reply.body as BeaconJson
      },
      { timeoutMs: 15_000, intervalMs: 250, what: `the beacon of epoch ${epoch}` },
    )
    const missing = [...ids].filter((id) => !beacon.contributions.includes(id))
    expect(missing, `epoch ${epoch}: acknowledged contributions lost`).toEqual([])
  }
}

describe('kill loop', () => {
  it(
    `${KILLS} SIGKILLs under sustained inject lose nothing acknowledged`,
    async () => {
      const started = Date.now()
      const home = await h.home('kill-loop')
      let d = await h.start({ home })
      const token = await readToken(home)
      const identity = await readFile(join(home, 'identity.key'))
      const peerId = d.peerId
      await cliJson(home, ['trust', 'set', randomPeerId(), '0.4'])
      await cliJson(home, ['trust', 'set', randomPeerId(), '0.7', '--inactive'])
      const trust = await trustList(home)

      const acked = new Map<number, Set<string>>()
      let sent = 0
      let ok = 0
      const notAcked: Record<string, number> = {}
      const restartMs: number[] = []
      for (let k = 0; k < KILLS; k++) {
        const load = injector(d, token, acked)
        await sleep(200 + Math.random() * 1300)
        const killed = await d.kill9()
        expect(killed.signal).toBe('SIGKILL')
        const counts = await load.stop()
        sent += counts.sent
        ok += counts.ok
        for (const [why, n] of Object.entries(counts.refused))
          notAcked[why] = (notAcked[why] ?? 0) + n

        const t0 = Date.now()
        d = await h.start({ home }) // a failure on the lock would throw here
        restartMs.push(Date.now() - t0)
        expect(d.stderr).toContain('took over the stale lock of pid')
        expect(d.peerId).toBe(peerId)
        expect((await idOf(home)).peerId).toBe(peerId)
        expect(await readFile(join(home, 'identity.key'))).toEqual(identity)
        expect(await trustList(home)).toEqual(trust)
        await checkAllThere(d, token, acked)
      }
      const contributions = [...acked.values()].reduce((n, s) => n + s.size, 0)
      expect(contributions).toBeGreaterThan(KILLS)
      const sorted = [...restartMs].sort((a, b) => a - b)
      const summary = {
        kills: KILLS,
        injectsSent: sent,
        injectsAcknowledged: ok,
        notAcknowledged: notAcked,
        contributionsChecked: contributions,
        epochs: acked.size,
        lost: 0,
        restartMsMedian: sorted[Math.floor(sorted.length / 2)],
        restartMsMax: sorted.at(-1),
        seconds: Math.round((Date.now() - started) / 1000),
      }
      if (process.env.ALARA_SOAK_SUMMARY !== undefined)
        await writeFile(process.env.ALARA_SOAK_SUMMARY, `${JSON.stringify(summary)}\n`)
    },
    KILLS * 30_000 + 60_000,
  )
})
