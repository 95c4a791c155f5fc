import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliJson, describeRun, runCli } from './helpers/cli.js'
import type { DaemonProcess } from './helpers/daemon.js'
import { EPOCH_MS, injectRandom, waitFinal } from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { CLI_BIN, childEnv } from './helpers/paths.js'
import { eventually } from './helpers/wait.js'

/**
 * The public beacon API (config `publicApi`, docs/API.md) as a stranger uses it: node B
 * asks node A's public API with `alara beacon --from`, verifying every signature, the
 * shared beacon Ω_r from the signed commits and reveals (version 2), the digest and the
 * pool beacon; plain HTTP fetches see `/public/info`'s time-lock parameters, immutable
 * caching of a settled epoch and open CORS;
 * and `alara random` streams a draw longer than one request.
 */

const h = new Harness('public')
let a: DaemonProcess
let b: DaemonProcess
let publicUrl: string
let r: number
let injectedIds: string[]

interface IdJson {
  peerId: string
  publicApiUrl?: string
}

async function startWithPublicApi(): Promise<DaemonProcess> {
  const home = await h.home()
  await writeFile(join(home, 'config.json'), JSON.stringify({ publicApi: '127.0.0.1:0' }))
  return h.start({ home })
}

beforeAll(async () => {
  ;[a, b] = await Promise.all([startWithPublicApi(), h.start()])
  await connectMesh([a, b])
  const id = await cliJson<IdJson>(a.home, ['id'])
  expect(id.publicApiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  publicUrl = id.publicApiUrl as string
  const injected = await injectRandom(a, 256)
  r = injected.epoch
  injectedIds = injected.ids
  await waitFinal([a, b], r)
  // Ω_r settles at the reveals, a grace period after the freeze: wait for it on both nodes
  for (const node of [a, b])
    await eventually(
      async () => {
        const own = await cliJson<{ status: string }>(node.home, ['beacon', String(r)])
        expect(own.status).toMatch(/^(revealed|recovered)$/)
      },
      { timeoutMs: 60_000, intervalMs: 500, what: `Ω of epoch ${r} on ${node.peerId}` },
    )
}, 180_000)

afterAll(() => h.cleanup())

describe('public beacon API', () => {
  it('alara beacon --from verifies a final epoch of another node, and --at finds it by time', async () => {
    // `id` without the listener on: no publicApiUrl
    expect((await cliJson<IdJson>(b.home, ['id'])).publicApiUrl).toBeUndefined()
    const remote = await eventually(
      async () => {
        const res = await runCli(b.home, ['beacon', String(r), '--from', publicUrl, '--verify'])
        expect(res.code, describeRun(res)).toBe(0)
        return res.json as Record<string, unknown>
      },
      { timeoutMs: 10_000, intervalMs: 250, what: `epoch ${r} on the public API` },
    )
    expect(remote).toMatchObject({
      epoch: r,
      count: 1,
      contributions: injectedIds,
      verified: true,
    })
    // what the other node computed itself: Ω_r, its commit set, and the pool beacon
    const local = await cliJson<Record<string, unknown>>(b.home, ['beacon', String(r)])
    expect(remote.beacon).toMatch(/^[0-9a-f]{64}$/)
    expect(remote.beacon).toBe(local.beacon)
    expect(remote.status).toBe(local.status)
    expect(remote.commitsDigest).toBe(local.commitsDigest)
    expect(remote.commits).toEqual(local.commits)
    expect(remote.commits).toEqual(expect.arrayContaining([a.peerId, b.peerId]))
    expect(remote.poolBeacon).toBe(local.poolBeacon)
    expect(remote.digest).toBe(local.digest)

    // a dead first source falls back to the live one; the human form says verified: true
    const fallback = await runCli(
      b.home,
      ['beacon', String(r), '--from', 'http://127.0.0.1:9', '--from', publicUrl],
      { json: false },
    )
    expect(fallback.code, describeRun(fallback)).toBe(0)
    expect(fallback.stdout).toMatch(/^verified\s+true/m)

    const at = new Date(r * EPOCH_MS + EPOCH_MS / 2).toISOString()
    const byTime = await cliJson<Record<string, unknown>>(b.home, ['beacon', '--at', at])
    expect(byTime).toMatchObject({ epoch: r, beacon: local.beacon, poolBeacon: local.poolBeacon })
    const byTimeRemote = await cliJson<Record<string, unknown>>(b.home, [
      'beacon',
      '--at',
      String(r * EPOCH_MS),
      '--from',
      publicUrl,
    ])
    expect(byTimeRemote).toMatchObject({
      epoch: r,
      beacon: local.beacon,
      poolBeacon: local.poolBeacon,
      verified: true,
    })
    // `alara random --epoch r` expands that same Ω_r on both nodes
    const drawA = await cliJson<{ bytes: string }>(a.home, [
      'random',
      '--bytes',
      '32',
      '--epoch',
      String(r),
    ])
    const drawB = await cliJson<{ bytes: string }>(b.home, [
      'random',
      '--bytes',
      '32',
      '--epoch',
      String(r),
    ])
    expect(drawA.bytes).toBe(drawB.bytes)

    const bad = await runCli(b.home, ['beacon', '--at', 'last tuesday'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/usage: alara beacon/)
  })

  it('serves /public/* with immutable caching for final epochs, open CORS and JSON errors', async () => {
    const info = await fetch(`${publicUrl}/public/info`)
    expect(info.status).toBe(200)
    expect(info.headers.get('access-control-allow-origin')).toBe('*')
    expect(await info.json()).toMatchObject({
      epochMs: EPOCH_MS,
      peerId: a.peerId,
      timelockSquarings: 4096,
      h: expect.stringMatching(/^[0-9a-f]{512}$/),
      hProof: expect.stringMatching(/^[0-9a-f]{512}$/),
      gid: '6ae9d033c1d76c4f535b5ad5c0073933a0b375b4120a75fbb66be814eab1a9ce',
    })

    const final = await fetch(`${publicUrl}/public/${r}`)
    expect(final.status).toBe(200)
    expect(final.headers.get('cache-control')).toBe('public, max-age=604800, immutable')
    expect(final.headers.get('access-control-allow-origin')).toBe('*')
    const body = (await final.json()) as {
      contributions: string[]
      count: number
      beacon: string
      status: string
      commits: string[]
      reveals: string[]
    }
    expect(body.count).toBe(1)
    expect(body.contributions[0]).toMatch(/^([0-9a-f]{2})+$/)
    // Ω_r with the signed commits and reveals it comes from (both nodes committed)
    expect(body.beacon).toMatch(/^[0-9a-f]{64}$/)
    expect(body.status).toMatch(/^(revealed|recovered)$/)
    expect(body.commits.length).toBeGreaterThanOrEqual(2)
    expect(body.commits[0]).toMatch(/^([0-9a-f]{2})+$/)

    const at = await fetch(`${publicUrl}/public/at/${r * EPOCH_MS + 1}`)
    expect(await at.json()).toEqual(body)

    const latest = await fetch(`${publicUrl}/public/latest`)
    expect(latest.status).toBe(200)
    expect(latest.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/)

    // not final yet (far future), and no such route: 404 JSON errors, never cached
    const future = await fetch(`${publicUrl}/public/${r + 1_000_000}`)
    expect(future.status).toBe(404)
    expect(future.headers.get('cache-control')).toBe('no-store')
    expect(await future.json()).toMatchObject({ error: { code: 'ERR_NOT_FOUND' } })
    expect((await fetch(`${publicUrl}/public/abc`)).status).toBe(400)
    // read-only, no control API here
    expect((await fetch(`${publicUrl}/v1/status`)).status).toBe(404)
    expect((await fetch(`${publicUrl}/public/info`, { method: 'POST' })).status).toBe(404)
  })

  it('alara random streams a draw longer than one request', async () => {
    const args = [CLI_BIN, '--home', a.home, 'random', '--bytes', '2200000', '--format', 'raw']
    const got = await new Promise<{ bytes: number; code: number | null; stderr: string }>(
      (resolve) => {
        const child = spawn(process.execPath, [...args, '--allow-low-entropy'], {
          env: childEnv(),
        })
        let bytes = 0
        let stderr = ''
        child.stdout.on('data', (chunk: Buffer) => {
          bytes += chunk.length
        })
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += String(chunk)
        })
        child.on('close', (code) => resolve({ bytes, code, stderr }))
      },
    )
    expect(got.code, got.stderr).toBe(0)
    expect(got.bytes).toBe(2_200_000)

    // `| head -c 10`: the reader goes away, the writer ends quietly (status 0) and soon
    const huge = [CLI_BIN, '--home', a.home, 'random', '--bytes', '1000000000', '--format', 'raw']
    const started = Date.now()
    const closed = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [...huge, '--allow-low-entropy'], { env: childEnv() })
      child.stdout.once('data', () => child.stdout.destroy())
      child.on('close', (code) => resolve(code))
    })
    expect(closed).toBe(0)
    expect(Date.now() - started).toBeLessThan(20_000)
  })
})
