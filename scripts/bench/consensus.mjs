// Time from epoch close (end + graceMs) to `agreed` with every node's vote, on every node.
// Starts a devnet of N daemons (separate processes, loopback), injects on one node each
// epoch, and polls every node's control API. Bounded: EPOCHS epochs, then it stops the
// devnet it started.
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const NODES = Number(process.env.NODES ?? 4)
const EPOCH_MS = Number(process.env.EPOCH_MS ?? 1000)
const GRACE_MS = Math.min(1000, Math.floor(EPOCH_MS / 2)) // the default rule (docs/OPERATIONS.md)
const EPOCHS = Number(process.env.EPOCHS ?? 10)
const POLL_MS = 10
const cli = new URL('../../packages/cli/dist/bin.js', import.meta.url).pathname

const devnet = spawn(
  process.execPath,
  [cli, 'devnet', '--nodes', String(NODES), '--epoch-ms', String(EPOCH_MS), '--json'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
)
const stopDevnet = () =>
  new Promise((resolve) => {
    if (devnet.exitCode !== null) return resolve()
    devnet.once('exit', resolve)
    devnet.kill('SIGTERM')
    setTimeout(() => devnet.kill('SIGKILL'), 15_000).unref()
  })
process.on('SIGINT', () => stopDevnet().then(() => process.exit(130)))

try {
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: devnet.stdout })
    rl.once('line', resolve)
    devnet.once('exit', () => reject(new Error('devnet exited before it was ready')))
    setTimeout(() => reject(new Error('devnet not ready within 120 s')), 120_000).unref()
  })
  const { nodes } = JSON.parse(line)
  const apis = await Promise.all(
    nodes.map(async (n) => ({
      url: n.apiUrl,
      token: (await readFile(join(n.home, 'api.token'), 'utf8')).trim(),
    })),
  )
  const call = async (api, method, path, body) => {
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
    return res.json()
  }

  // Start on a fresh epoch boundary, then inject once per epoch, rotating the injector.
  const epochOf = (t) => Math.floor(t / EPOCH_MS)
  const first = epochOf(Date.now()) + 2
  await new Promise((r) => setTimeout(r, first * EPOCH_MS - Date.now() + 50))
  const latencies = []
  const pending = new Map() // epoch -> Set of node indexes not yet agreed
  for (let r = first; r < first + EPOCHS; r++) pending.set(r, new Set(apis.keys()))
  const done = new Map()
  let injected = first
  const deadline = (first + EPOCHS) * EPOCH_MS + GRACE_MS + 10_000
  while (pending.size > 0 && Date.now() < deadline) {
    const now = Date.now()
    if (injected < first + EPOCHS && epochOf(now) === injected) {
      await call(apis[injected % apis.length], 'POST', '/v1/inject', { random: 256 })
      injected++
    }
    await Promise.all(
      apis.map(async (api, i) => {
        const { epochs } = await call(api, 'GET', '/v1/consensus?epochs=8')
        for (const e of epochs) {
          const waiting = pending.get(e.epoch)
          if (waiting === undefined || !waiting.has(i)) continue
          if (
            e.status === 'agreed' &&
            e.voters.length === NODES &&
            e.agreement === 1 &&
            e.count >= 1
          ) {
            waiting.delete(i)
            if (waiting.size === 0) {
              pending.delete(e.epoch)
              done.set(e.epoch, Date.now() - ((e.epoch + 1) * EPOCH_MS + GRACE_MS))
            }
          }
        }
      }),
    )
    await new Promise((r) => setTimeout(r, POLL_MS))
  }
  for (const [, ms] of [...done].sort((a, b) => a[0] - b[0])) latencies.push(ms)
  const sorted = [...latencies].sort((a, b) => a - b)
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
  console.log(
    `nodes ${NODES}, epochMs ${EPOCH_MS}, graceMs ${GRACE_MS}, epochs measured ${sorted.length} of ${EPOCHS}, poll ${POLL_MS} ms`,
  )
  console.log(`close -> agreed on all nodes (ms): ${latencies.join(', ')}`)
  if (sorted.length > 0) console.log(`p50 ${pct(0.5)} ms, max ${sorted.at(-1)} ms`)
  if (pending.size > 0) {
    console.log(`NOT agreed everywhere: epochs ${[...pending.keys()].join(', ')}`)
    process.exitCode = 1
  }
} finally {
  await stopDevnet()
}
