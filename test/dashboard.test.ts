import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Browser, launch, type Page } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliJson } from './helpers/cli.js'
import type { DaemonProcess } from './helpers/daemon.js'
import { type BeaconJson, EPOCH_MS, injectRandom, waitFinal } from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { REPO_ROOT } from './helpers/paths.js'
import { eventually } from './helpers/wait.js'

/**
 * The live dashboard in a real headless Chromium (Debian's `chromium`, driven by
 * puppeteer-core): on a 3-node devnet the page opened with the URL of `alara dashboard`
 * shows every node in the consensus matrix with its agreement, the peers, the chart and
 * the event stream, and updates when an epoch closes. Its beacon panel fetches beacons
 * from the node's public beacon API with @alara/client (the esbuild bundle) and verifies
 * them in the browser: a genuine beacon is shown verified, a tampered answer (served by
 * request interception, as a lying server would) failed with the reason, and a node
 * without the public API says how to turn it on. Screenshots are saved to
 * bench-results/dashboard.png and dashboard-beacon-tampered.png. Without the browser
 * (`.ci/run` installs it when it can), the test is skipped and says why.
 */

const CHROMIUM = process.env.ALARA_CHROMIUM ?? '/usr/bin/chromium'
const haveBrowser = existsSync(CHROMIUM)
if (!haveBrowser)
  console.warn(
    `dashboard test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set ALARA_CHROMIUM)`,
  )

const h = new Harness('dashboard')
let nodes: DaemonProcess[] = []
let browser: Browser | undefined
/** node a's public beacon API */
let publicUrl: string
/** an epoch final on every node, with contributions of all three */
let r: number

async function startWithPublicApi(): Promise<DaemonProcess> {
  const home = await h.home()
  await writeFile(join(home, 'config.json'), JSON.stringify({ publicApi: '127.0.0.1:0' }))
  return h.start({ home })
}

async function openDashboard(node: DaemonProcess): Promise<Page> {
  const { url } = await cliJson<{ url: string }>(node.home, ['dashboard'])
  const page = await (browser as Browser).newPage()
  await page.setViewport({ width: 1280, height: 1400 })
  await page.goto(url, { waitUntil: 'load' })
  return page
}

/** The beacon box's state once it is `state` (bounded wait). */
async function beaconBox(page: Page, box: string, state: string, query?: string) {
  const answering = query === undefined ? '' : `[data-query="${query}"]`
  await page
    .waitForSelector(`#${box}[data-state="${state}"]${answering}`, { timeout: 30_000 })
    .catch(async (err: unknown) => {
      // say what the box shows instead
      const now = await page.$eval(
        `#${box}`,
        (e) => `${e.getAttribute('data-state')}: ${e.textContent}`,
      )
      throw new Error(`#${box} is not ${state} but ${now}`, { cause: err })
    })
  return page.$eval(`#${box}`, (e) => ({
    epoch: e.getAttribute('data-epoch'),
    /** Ω_r, the shared beacon */
    beacon: e.getAttribute('data-beacon'),
    poolBeacon: e.getAttribute('data-pool-beacon'),
    status: e.getAttribute('data-status'),
    text: e.textContent ?? '',
  }))
}

async function lookUp(page: Page, query: string): Promise<void> {
  await page.evaluate("document.querySelector('#beacon-query').value = ''")
  await page.type('#beacon-query', query)
  await page.click('#beacon-form button')
}

beforeAll(async () => {
  if (!haveBrowser) return
  await mkdir(join(REPO_ROOT, 'bench-results'), { recursive: true })
  nodes = await Promise.all([startWithPublicApi(), h.start(), h.start()])
  await connectMesh(nodes)
  const injected = await Promise.all(nodes.map((node) => injectRandom(node, 256)))
  r = Math.max(...injected.map((i) => i.epoch))
  await waitFinal(nodes, r)
  // Ω_r settles at the reveals, a grace period after the freeze
  await eventually(
    async () => {
      const own = await cliJson<BeaconJson>(nodes[0]?.home as string, ['beacon', String(r)])
      expect(own.status).toMatch(/^(revealed|recovered)$/)
    },
    { timeoutMs: 60_000, intervalMs: 500, what: `Ω of epoch ${r}` },
  )
  const id = await cliJson<{ publicApiUrl?: string }>(nodes[0]?.home as string, ['id'])
  publicUrl = id.publicApiUrl as string
  expect(publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  browser = await launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  })
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await h.cleanup()
})

describe.skipIf(!haveBrowser)('dashboard', () => {
  it('shows every node with its agreement and updates when an epoch closes', async () => {
    const [a] = nodes as [DaemonProcess]
    const { url } = await cliJson<{ url: string }>(a.home, ['dashboard'])
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ui\/#token=[0-9a-f]+$/)
    const page = await (browser as Browser).newPage()
    await page.setViewport({ width: 1280, height: 1100 })
    const failures: string[] = []
    page.on('pageerror', (err) => failures.push(String(err)))
    page.on('requestfailed', (req) => {
      // the event stream is cut when the page closes: anything else is a defect
      if (!req.url().endsWith('/v1/events'))
        failures.push(`${req.url()}: ${req.failure()?.errorText}`)
    })
    await page.goto(url, { waitUntil: 'load' })
    // the token left the address bar
    expect(page.url()).not.toContain('token')

    // every node of the devnet is a row of the matrix, with its agreement
    await page.waitForSelector('#matrix[data-voters="3"]', { timeout: 30_000 })
    for (const node of nodes) {
      const agreement = await page.$eval(
        `#matrix tr[data-peer="${node.peerId}"] td.agreement`,
        (td) => td.textContent ?? '',
      )
      expect(agreement, node.peerId).toMatch(/^\d+% \(\d+\/\d+\)$/)
    }
    expect(await page.$$eval('#matrix td.agree', (tds) => tds.length)).toBeGreaterThan(0)
    // peers with their trust; the chart drawn; events streaming
    expect(await page.$$eval('#peers tbody tr', (rows) => rows.length)).toBe(2)
    await page.waitForSelector('#chart canvas', { timeout: 10_000 })
    // (page functions as strings: the tests compile without the DOM library)
    await page.waitForFunction("document.querySelectorAll('#events li').length > 0", {
      timeout: 15_000,
    })
    expect(await page.$eval('#conn', (e) => e.textContent)).toBe('live')

    // a closing epoch changes the page without a reload
    const before = Number(await page.$eval('#matrix', (e) => e.getAttribute('data-latest-epoch')))
    await page.waitForFunction(
      `Number(document.querySelector('#matrix').dataset.latestEpoch) > ${before}`,
      { timeout: 30_000 },
    )

    // the beacon panel: node a's latest final beacon, verified in this browser, is the one
    // the node itself reports for that epoch
    const latest = await beaconBox(page, 'beacon-latest', 'verified')
    expect(Number(latest.epoch)).toBeGreaterThanOrEqual(r)
    const own = await cliJson<BeaconJson>(a.home, ['beacon', String(latest.epoch)])
    expect(latest.beacon).toMatch(/^[0-9a-f]{64}$/)
    expect(latest.beacon).toBe(own.beacon)
    expect(latest.status).toBe(own.status)
    expect(latest.poolBeacon ?? undefined).toBe(own.poolBeacon)
    expect(latest.text).toContain('(each signature checked, D_r recomputed)')
    expect(latest.text).toContain(`${own.count} (each signature checked)`)
    // looked up by epoch, and by a time inside it
    await lookUp(page, String(r))
    const byEpoch = await beaconBox(page, 'beacon-lookup', 'verified', String(r))
    const ofR = await cliJson<BeaconJson>(a.home, ['beacon', String(r)])
    expect(byEpoch).toMatchObject({
      epoch: String(r),
      beacon: ofR.beacon,
      status: ofR.status,
      poolBeacon: ofR.poolBeacon,
    })
    const inR = new Date(r * EPOCH_MS + EPOCH_MS / 2).toISOString()
    await lookUp(page, inR)
    expect(await beaconBox(page, 'beacon-lookup', 'verified', inR)).toMatchObject({
      epoch: String(r),
      beacon: ofR.beacon,
      poolBeacon: ofR.poolBeacon,
    })
    // the consensus matrix's beacon Ω row: the settled epochs marked as such
    expect(
      await page.$$eval(
        '#matrix tr.shared td.shared-revealed, #matrix tr.shared td.shared-recovered',
        (tds) => tds.length,
      ),
    ).toBeGreaterThan(0)

    await page.screenshot({
      path: join(REPO_ROOT, 'bench-results', 'dashboard.png'),
      fullPage: true,
    })
    expect(failures).toEqual([])
    await page.close()
  }, 180_000)

  it('shows a tampered beacon answer as failed, with the reason', async () => {
    const [a] = nodes as [DaemonProcess]
    const page = await (browser as Browser).newPage()
    // a lying public API: genuine answers with one byte changed, open CORS like the real one
    const tampered: string[] = []
    await page.setRequestInterception(true)
    page.on('request', (req) => {
      const path = req.url().startsWith(publicUrl) ? req.url().slice(publicUrl.length) : ''
      if (!/^\/public\/(latest|\d+)$/.test(path)) return void req.continue()
      void (async () => {
        const body = (await (await fetch(`${publicUrl}${path}`)).json()) as BeaconJson & {
          contributions: string[]
          commits: string[]
        }
        if (path === '/public/latest') {
          // the last byte of the first commit is the last of its signature
          const c = body.commits[0] as string
          body.commits[0] = c.slice(0, -1) + (c.endsWith('0') ? '1' : '0')
        } else {
          // Ω_r changed: it no longer follows from the signed commits and reveals
          const beacon = body.beacon ?? ''
          body.beacon = (beacon.startsWith('0') ? '1' : '0') + beacon.slice(1)
        }
        tampered.push(path)
        await req.respond({
          status: 200,
          headers: { 'access-control-allow-origin': '*' },
          contentType: 'application/json',
          body: JSON.stringify(body),
        })
      })()
    })
    const { url } = await cliJson<{ url: string }>(a.home, ['dashboard'])
    await page.goto(url, { waitUntil: 'load' })
    const latest = await beaconBox(page, 'beacon-latest', 'failed')
    expect(latest.text).toMatch(/refused: commit 0: the signature does not verify/)
    expect(latest.beacon).toBeNull()
    await lookUp(page, String(r))
    const looked = await beaconBox(page, 'beacon-lookup', 'failed', String(r))
    expect(looked.text).toContain(
      `refused: epoch ${r}: the beacon is not Ω_r of its commits and reveals`,
    )
    expect(tampered).toContain('/public/latest')
    expect(tampered).toContain(`/public/${r}`)
    await (await page.$('#beacon'))?.screenshot({
      path: join(REPO_ROOT, 'bench-results', 'dashboard-beacon-tampered.png'),
    })
    await page.close()
  }, 120_000)

  it('says how to turn the public API on when a node does not publish beacons', async () => {
    const [, b] = nodes as [DaemonProcess, DaemonProcess]
    const page = await openDashboard(b)
    const off = await beaconBox(page, 'beacon-latest', 'off')
    expect(off.text).toContain('--public-api HOST:PORT')
    expect(await page.$eval('#beacon-form', (e) => e.hasAttribute('hidden'))).toBe(true)
    await page.close()
  }, 60_000)
})
