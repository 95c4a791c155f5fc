// Hostile load (scripts/bench-hostile, docs/BENCHMARKS.md): one member peer floods a
// daemon with forged signatures at full speed, then with valid contributions, while an
// honest daemon injects every 100 ms. The target daemon runs in this process and is
// measured on its own event bus (counters only: an SSE stream of 10k events/s would be a
// load of its own); the flooder and the honest node are separate processes.
// Runs once with verifyThreads 0 (main thread only) and once with the pool (default).
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { createAlaraDaemon, initRepo } from '../dist/index.js'

const NETWORK = 'bench-hostile'
const EPOCH_MS = 60_000 // long epochs: pre-signed messages stay in an open epoch
const FLOOD_MS = Number(process.env.FLOOD_MS ?? 8000)
const QUIET_MS = Number(process.env.QUIET_MS ?? 5000)
const COUNT = Number(process.env.COUNT ?? 60_000)
const BITS = Number(process.env.BITS ?? 8192)
const ORIGINS = 200
const INJECT_EVERY_MS = 100
const cli = new URL('../../cli/dist/bin.js', import.meta.url).pathname
const flooderJs = new URL('./flooder.mjs', import.meta.url).pathname

const config = (extra) => ({
  network: NETWORK,
  epochMs: EPOCH_MS,
  maxPerEpoch: 1_000_000,
  listen: ['/ip4/127.0.0.1/tcp/0'],
  api: '127.0.0.1:0',
  mdns: false,
  dht: false,
  ...extra,
})
const quietLogger = { debug() {}, info() {}, warn() {}, error: (m) => console.error(m) }
const pct = (xs, p) => {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
const lines = (child) => {
  const rl = createInterface({ input: child.stdout })
  const waiting = []
  rl.on('line', (l) => {
    let v
    try {
      v = JSON.parse(l)
    } catch {
      return
    }
    const i = waiting.findIndex((w) => w.test(v))
    if (i >= 0) waiting.splice(i, 1)[0].resolve(v)
  })
  return (test, ms = 120_000) =>
    new Promise((resolve, reject) => {
      waiting.push({ test, resolve })
      child.once('exit', (code) => reject(new Error(`a child exited (${code})`)))
      setTimeout(() => reject(new Error('timed out waiting for a child')), ms).unref()
    })
}

async function run(verifyThreads) {
  const dir = await mkdtemp(join(tmpdir(), 'alara-hostile-'))
  const homeB = join(dir, 'b')
  const homeA = join(dir, 'a')
  await initRepo(homeB, { network: NETWORK })
  await writeFile(join(homeB, 'config.json'), JSON.stringify(config({ verifyThreads })))
  const b = await createAlaraDaemon({ home: homeB, logger: quietLogger })
  const children = []
  try {
    const bAddr = b.addresses().find((a) => a.includes('127.0.0.1'))
    await initRepo(homeA, { network: NETWORK })
    await writeFile(join(homeA, 'config.json'), JSON.stringify(config({ bootstrap: [bAddr] })))
    const a = spawn(process.execPath, [cli, 'daemon', '--home', homeA, '--json'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    children.push(a)
    const aReady = await lines(a)((v) => v.event === 'ready')
    const aToken = (await readFile(join(homeA, 'api.token'), 'utf8')).trim()
    const topic = b.services.gossip.topics.contributions
    const flooder = spawn(process.execPath, [flooderJs, bAddr, topic], {
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    children.push(flooder)
    const fromFlooder = lines(flooder)
    const send = (o) => flooder.stdin.write(`${JSON.stringify(o)}\n`)
    const { peerId: flooderId } = await fromFlooder((v) => v.event === 'connected')
    const epoch = Math.floor(Date.now() / EPOCH_MS) + 1
    send({
      cmd: 'prepare',
      count: COUNT,
      origins: ORIGINS,
      bits: BITS,
      epoch,
      epochMs: EPOCH_MS,
      network: NETWORK,
    })
    await fromFlooder((v) => v.event === 'prepared', 300_000)
    send({ cmd: 'calibrate', ms: 2000 })
    const { perSecond: oneCore } = await fromFlooder((v) => v.event === 'calibrated')

    // B's own counters, per 100 ms bucket
    const counts = { accepted: 0, rejected: 0 }
    const folded = new Map() // idHex -> receivedMs
    const reasons = {}
    b.events.on('contribution:refused', (d) => {
      reasons[d.reason] = (reasons[d.reason] ?? 0) + 1
      if (d.reason === 'BAD_SIGNATURE') counts.rejected++
    })
    const onAdded = (d) => {
      if (d.via === 'gossip') counts.accepted++
      folded.set(d.idHex, performance.now())
    }
    b.events.on('contribution:folded', onAdded)
    b.events.on('contribution:stored', onAdded)
    // wait until A's gossip reaches B
    const deadline = Date.now() + 30_000
    const inject = async () => {
      const t0 = performance.now()
      const res = await fetch(`${aReady.apiUrl}/v1/inject`, {
        method: 'POST',
        headers: { authorization: `Bearer ${aToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ random: 256 }),
      })
      const { ids } = await res.json()
      return { id: ids[0], t0, apiMs: performance.now() - t0 }
    }
    for (;;) {
      const { id } = await inject()
      await new Promise((r) => setTimeout(r, 300))
      if (folded.has(id)) break
      if (Date.now() > deadline) throw new Error('honest node never reached the target')
    }

    const phase = async (name, ms, flood) => {
      const loop = monitorEventLoopDelay({ resolution: 10 })
      loop.enable()
      const before = { ...counts }
      const buckets = []
      let last = { ...counts }
      const sampler = setInterval(() => {
        buckets.push({
          accepted: counts.accepted - last.accepted,
          rejected: counts.rejected - last.rejected,
        })
        last = { ...counts }
      }, 100)
      const honest = []
      const injector = setInterval(() => {
        inject().then(
          (x) => honest.push(x),
          () => {},
        )
      }, INJECT_EVERY_MS)
      const t0 = performance.now()
      let sent
      if (flood !== undefined) {
        send({ cmd: 'flood', kind: flood, ms })
        const done = await fromFlooder((v) => v.event === 'flooded')
        sent = done.sent
        if (!done.connected) console.error(`${name}: the flooder lost its connection`)
      } else await new Promise((r) => setTimeout(r, ms))
      const elapsed = performance.now() - t0
      clearInterval(injector)
      clearInterval(sampler)
      await new Promise((r) => setTimeout(r, 1000)) // let the tail arrive
      loop.disable()
      const latencies = honest.filter((h) => folded.has(h.id)).map((h) => folded.get(h.id) - h.t0)
      // longest run of 100 ms buckets in which nothing at all was judged (while flooding)
      let stall = 0
      let run = 0
      for (const k of buckets.slice(2, -2)) {
        run = k.accepted + k.rejected === 0 ? run + 1 : 0
        stall = Math.max(stall, run)
      }
      return {
        name,
        sent,
        acceptedPerS: Math.round(((counts.accepted - before.accepted) * 1000) / elapsed),
        rejectedPerS: Math.round(((counts.rejected - before.rejected) * 1000) / elapsed),
        honest: honest.length,
        honestFolded: latencies.length,
        p50: pct(latencies, 50),
        p99: pct(latencies, 99),
        apiP99: pct(
          honest.map((h) => h.apiMs),
          99,
        ),
        stallMs: flood === undefined ? 0 : stall * 100,
        loopMaxMs: loop.max / 1e6,
      }
    }
    const results = [await phase('quiet', QUIET_MS)]
    // As deployed: gossipsub scoring graylists the flooder after a few rejects.
    results.push(await phase('forged, scored', 3000, 'forged'))
    // The verification ceiling: the flooder as a direct peer (never graylisted), standing
    // for a forged flood spread over many peers that each spend their first rejects.
    b.libp2p.services.pubsub.direct.add(flooderId)
    results.push(await phase('forged flood', FLOOD_MS, 'forged'))
    results.push(await phase('valid flood', FLOOD_MS, 'valid'))
    send({ cmd: 'stop' })
    console.error(
      `verifyThreads ${verifyThreads ?? 'default'}: refusals by reason ${JSON.stringify(reasons)}`,
    )
    return { verifyThreads, oneCore, results }
  } finally {
    for (const c of children) c.kill('SIGTERM')
    await b.stop()
    await new Promise((r) => setTimeout(r, 500))
    await rm(dir, { recursive: true, force: true })
  }
}

const modes = (process.env.MODES ?? '0,default').split(',')
const table = []
for (const m of modes) {
  const r = await run(m === 'default' ? undefined : Number(m))
  for (const x of r.results) table.push({ threads: m, oneCore: r.oneCore, ...x })
}
const f = (n) => (Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en'))
console.log(
  '| verifyThreads | 1-core verify/s | phase | sent | accepted/s | rejected/s | × 1 core | honest folded | honest p50 ms | honest p99 ms | inject API p99 ms | longest stall ms | event-loop max ms |',
)
console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
for (const x of table) {
  const judged = x.acceptedPerS + x.rejectedPerS
  console.log(
    `| ${x.threads} | ${f(x.oneCore)} | ${x.name} | ${x.sent === undefined ? '–' : f(x.sent)} | ${f(x.acceptedPerS)} | ${f(x.rejectedPerS)} | ${x.name === 'quiet' ? '–' : (judged / x.oneCore).toFixed(2)} | ${x.honestFolded}/${x.honest} | ${f(x.p50)} | ${f(x.p99)} | ${f(x.apiP99)} | ${x.stallMs} | ${f(x.loopMaxMs)} |`,
  )
}
process.exit(0)
