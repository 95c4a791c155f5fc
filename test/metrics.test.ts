import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliJson } from './helpers/cli.js'
import type { DaemonProcess } from './helpers/daemon.js'
import { injectRandom } from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { eventually } from './helpers/wait.js'

/**
 * Prometheus metrics (config `metrics`, docs/OPERATIONS.md) on a real two-node devnet: A
 * serves /metrics on a listener of its own; injects on A and B move A's counters (folded,
 * bits, inject latency, propagation from B, votes), and libp2p's own metrics are there.
 */

const h = new Harness('metrics')
let a: DaemonProcess
let b: DaemonProcess
let metricsUrl: string

/** One sample's value from the text format, 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

const scrape = async (): Promise<string> => {
  const res = await fetch(`${metricsUrl}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
  return res.text()
}

beforeAll(async () => {
  const home = await h.home()
  await writeFile(join(home, 'config.json'), JSON.stringify({ metrics: '127.0.0.1:0' }))
  ;[a, b] = await Promise.all([h.start({ home }), h.start()])
  await connectMesh([a, b])
  const id = await cliJson<{ metricsUrl?: string }>(a.home, ['id'])
  expect(id.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  metricsUrl = id.metricsUrl as string
  expect(a.info.metricsUrl).toBe(metricsUrl)
}, 120_000)

afterAll(() => h.cleanup())

describe('metrics', () => {
  it('counters move after an inject; libp2p metrics share the registry', async () => {
    const before = await scrape()
    const folded = 'alara_contributions_total{verdict="accept",reason="folded"}'
    await injectRandom(a, 256)
    await injectRandom(b, 128)
    const after = await eventually(
      async () => {
        const text = await scrape()
        expect(sample(text, folded) - sample(before, folded)).toBe(2)
        expect(sample(text, 'alara_propagation_seconds_count')).toBeGreaterThanOrEqual(1)
        return text
      },
      { timeoutMs: 30_000, what: 'both contributions folded on A' },
    )
    expect(
      sample(after, 'alara_folded_bits_total') - sample(before, 'alara_folded_bits_total'),
    ).toBe(384)
    expect(sample(after, 'alara_inject_duration_seconds_count')).toBe(1)
    expect(sample(after, 'alara_credited_entropy_bits')).toBeGreaterThan(0)
    expect(sample(after, 'alara_current_epoch')).toBeGreaterThan(1_000_000)
    expect(sample(after, 'alara_peers_connected{kind="member"}')).toBe(1)
    // libp2p's own metrics, and the process's, from the same registry
    expect(after).toMatch(/^libp2p_/m)
    expect(after).toMatch(/^process_cpu_seconds_total /m)
    await eventually(
      async () => {
        const text = await scrape()
        expect(sample(text, 'alara_last_agreed_epoch')).toBeGreaterThan(1_000_000)
        expect(sample(text, 'alara_epochs_total{status="agreed"}')).toBeGreaterThanOrEqual(1)
        // B's votes: the first comes when B closes the epoch it started in, not before
        expect(text).toMatch(/^alara_votes_total\{verdict="accept",reason="recorded"\} \d+$/m)
      },
      { timeoutMs: 30_000, what: 'an agreed epoch made final' },
    )
    // only /metrics is served there
    expect((await fetch(`${metricsUrl}/v1/id`)).status).toBe(404)
  }, 120_000)

  it('without the setting there is no metricsUrl', async () => {
    expect((await cliJson<{ metricsUrl?: string }>(b.home, ['id'])).metricsUrl).toBeUndefined()
  })
})
