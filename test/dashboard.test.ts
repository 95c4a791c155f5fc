import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { type Browser, launch } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliJson } from './helpers/cli.js'
import type { DaemonProcess } from './helpers/daemon.js'
import { injectRandom } from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { REPO_ROOT } from './helpers/paths.js'

/**
 * The live dashboard in a real headless Chromium (Debian's `chromium`, driven by
 * puppeteer-core): on a 3-node devnet the page opened with the URL of `alara dashboard`
 * shows every node in the consensus matrix with its agreement, the peers, the chart and
 * the event stream, and updates when an epoch closes. A screenshot is saved to
 * bench-results/dashboard.png. Without the browser (`.ci/run` installs it when it can),
 * the test is skipped and says why.
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

beforeAll(async () => {
  if (!haveBrowser) return
  nodes = await Promise.all([h.start(), h.start(), h.start()])
  await connectMesh(nodes)
  for (const node of nodes) await injectRandom(node, 256)
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

    await mkdir(join(REPO_ROOT, 'bench-results'), { recursive: true })
    await page.screenshot({
      path: join(REPO_ROOT, 'bench-results', 'dashboard.png'),
      fullPage: true,
    })
    expect(failures).toEqual([])
    await page.close()
  }, 180_000)
})
