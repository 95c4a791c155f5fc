// Hostile load (scripts/bench-hostile, docs/BENCHMARKS.md): one member peer floods a
// daemon with forged signatures at full speed, then with valid contributions, while an
// honest member peer publishes one contribution every 100 ms. The target daemon runs in
// this process and is measured on its own event bus (counters only: an SSE stream of 10k
// events/s would be a load of its own); the flooder and the honest peer are separate
// processes (flooder.mjs; the honest one does not subscribe, so the target never forwards
// the flood to it). Runs once per MODES entry (verifyThreads 0 = main thread only,
// default = the pool; raw = no ALARA at all: the daemon's libp2p node with gossipsub and
// no validator, the ceiling the same flood meets in gossipsub and the transport alone).
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { contributionId, DEFAULT_PARAMS, decodeContribution, toHex } from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import {
  createAlaraDaemon,
  createAlaraLibp2p,
  initRepo,
  mergeConfig,
  msgIdFn,
  topicsOf,
} from '../dist/index.js'

const NETWORK = 'bench-hostile'
const EPOCH_MS = 600_000 // long epochs: pre-signed messages stay in an open epoch
const FLOOD_MS = Number(process.env.FLOOD_MS ?? 8000)
const QUIET_MS = Number(process.env.QUIET_MS ?? 5000)
const COUNT = Number(process.env.COUNT ?? 60_000)
const BITS = Number(process.env.BITS ?? 8192)
/** messages per gossipsub RPC frame the flooder sends (gossipsub's publish sends 1) */
const BATCH = Number(process.env.BATCH ?? 16)
const ORIGINS = 200
const HONEST_EVERY_MS = 100
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
const wallMs = () => performance.timeOrigin + performance.now()
const pct = (xs, p) => {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}
/**
 * JSON lines of a child: `wait(test)` resolves on the first match, including lines that
 * came before it was called (kept until matched); `on` sees every line.
 */
const lines = (child, on = () => {}) => {
  const rl = createInterface({ input: child.stdout })
  const waiting = []
  const unmatched = []
  rl.on('line', (l) => {
    let v
    try {
      v = JSON.parse(l)
    } catch {
      return
    }
    on(v)
    const i = waiting.findIndex((w) => w.test(v))
    if (i >= 0) waiting.splice(i, 1)[0].resolve(v)
    else if (v.event !== 'published') unmatched.push(v)
  })
  return (test, ms = 120_000) =>
    new Promise((resolve, reject) => {
      const j = unmatched.findIndex(test)
      if (j >= 0) return resolve(unmatched.splice(j, 1)[0])
      waiting.push({ test, resolve })
      child.once('exit', (code) => reject(new Error(`a child exited (${code})`)))
      setTimeout(() => reject(new Error('timed out waiting for a child')), ms).unref()
    })
}

/**
 * What a phase measures, on either target: messages accepted and forged ones rejected, and
 * the wall time each contribution id was taken in.
 */
const newCounters = () => ({ accepted: 0, rejected: 0, folded: new Map(), reasons: {} })

/** An ALARA daemon in this process, measured on its own event bus. */
async function daemonTarget(dir, verifyThreads) {
  const home = join(dir, 'b')
  await initRepo(home, { network: NETWORK })
  await writeFile(join(home, 'config.json'), JSON.stringify(config({ verifyThreads })))
  const b = await createAlaraDaemon({ home, logger: quietLogger })
  const counts = newCounters()
  b.events.on('contribution:refused', (d) => {
    counts.reasons[d.reason] = (counts.reasons[d.reason] ?? 0) + 1
    if (d.reason === 'BAD_SIGNATURE') counts.rejected++
  })
  const onAdded = (d) => {
    if (d.via === 'gossip') counts.accepted++
    counts.folded.set(d.idHex, wallMs())
  }
  b.events.on('contribution:folded', onAdded)
  b.events.on('contribution:stored', onAdded)
  return {
    addr: b.addresses().find((a) => a.includes('127.0.0.1')),
    topic: b.services.gossip.topics.contributions,
    counts,
    pubsub: b.libp2p.services.pubsub,
    // member origins: listed, so their contributions are admitted (not STRANGER)
    admit: async (ids) => {
      for (const id of ids) await b.services.trust.set(id, 1, true)
    },
    stats: () => b.services.verifier?.stats?.(),
    stop: () => b.stop(),
  }
}

/**
 * The daemon's own libp2p node (createAlaraLibp2p: transports, yamux window, gossipsub
 * options and scoring) with no validator behind it: every message gossipsub delivers
 * counts as accepted. Only the honest peer's messages are decoded, for their ids.
 */
async function rawTarget() {
  const node = await createAlaraLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    config: mergeConfig(config({})),
    msgIdFn,
    params: DEFAULT_PARAMS,
  })
  await node.start()
  const topic = topicsOf(NETWORK).contributions
  const pubsub = node.services.pubsub
  pubsub.subscribe(topic)
  const counts = newCounters()
  const honest = { id: undefined }
  pubsub.addEventListener('gossipsub:message', (evt) => {
    counts.accepted++
    if (honest.id !== undefined && evt.detail.propagationSource.toString() === honest.id)
      counts.folded.set(toHex(contributionId(decodeContribution(evt.detail.msg.data))), wallMs())
  })
  return {
    addr: node
      .getMultiaddrs()
      .find((a) => a.toString().includes('127.0.0.1'))
      .toString(),
    topic,
    counts,
    pubsub,
    honest,
    admit: async () => {},
    stats: () => undefined,
    stop: () => node.stop(),
  }
}

async function run(mode) {
  const dir = await mkdtemp(join(tmpdir(), 'alara-hostile-'))
  const raw = mode === 'raw'
  const target = raw ? await rawTarget() : await daemonTarget(dir, mode)
  const { counts } = target
  const children = []
  try {
    const bAddr = target.addr
    const topic = target.topic
    const peer = (args, on) => {
      const child = spawn(process.execPath, [flooderJs, bAddr, topic, ...args], {
        stdio: ['pipe', 'pipe', 'inherit'],
      })
      children.push(child)
      return {
        wait: lines(child, on),
        send: (o) => child.stdin.write(`${JSON.stringify(o)}\n`),
      }
    }
    const published = new Map() // idHex -> wall ms, from the honest peer
    const flooder = peer([])
    const honestPeer = peer(['--honest'], (v) => {
      if (v.event === 'published') published.set(v.idHex, v.atMs)
    })
    const { peerId: flooderId } = await flooder.wait((v) => v.event === 'connected')
    const { peerId: honestId } = await honestPeer.wait((v) => v.event === 'connected')
    if (target.honest !== undefined) target.honest.id = honestId
    const epoch = Math.floor(Date.now() / EPOCH_MS) + 1
    const prepare = { cmd: 'prepare', bits: BITS, epoch, epochMs: EPOCH_MS, network: NETWORK }
    flooder.send({ ...prepare, count: COUNT, origins: ORIGINS })
    honestPeer.send({ ...prepare, count: 2000, origins: 1 })
    const members = [
      ...(await flooder.wait((v) => v.event === 'prepared', 300_000)).origins,
      ...(await honestPeer.wait((v) => v.event === 'prepared', 300_000)).origins,
    ]
    await target.admit(members)
    flooder.send({ cmd: 'calibrate', ms: 2000 })
    const { perSecond: oneCore } = await flooder.wait((v) => v.event === 'calibrated')
    const folded = counts.folded // idHex -> wall ms

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
      const t0 = performance.now()
      console.error(`PHASE-START ${name} ${process.hrtime.bigint() / 1000n}`)
      const cpu0 = process.cpuUsage()
      const elu0 = performance.eventLoopUtilization()
      const fromMs = wallMs()
      honestPeer.send({ cmd: 'honest', everyMs: HONEST_EVERY_MS, ms })
      let sent
      let flooderCores = NaN
      if (flood !== undefined) {
        flooder.send({ cmd: 'flood', kind: flood, ms, batch: BATCH })
        const done = await flooder.wait((v) => v.event === 'flooded')
        sent = done.sent
        flooderCores = done.cores
        if (!done.connected) console.error(`${name}: the flooder lost its connection`)
      } else await new Promise((r) => setTimeout(r, ms))
      const elapsed = performance.now() - t0
      console.error(`PHASE-END ${name} ${process.hrtime.bigint() / 1000n}`)
      const cpu = process.cpuUsage(cpu0)
      const elu = performance.eventLoopUtilization(elu0)
      clearInterval(sampler)
      const judged = {
        accepted: counts.accepted - before.accepted,
        rejected: counts.rejected - before.rejected,
      }
      await honestPeer.wait((v) => v.event === 'honest-done')
      await new Promise((r) => setTimeout(r, 1500)) // let the honest tail arrive
      loop.disable()
      const honest = [...published].filter(([, at]) => at >= fromMs)
      const latencies = honest
        .filter(([id]) => folded.has(id))
        .map(([id, at]) => folded.get(id) - at)
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
        acceptedPerS: Math.round((judged.accepted * 1000) / elapsed),
        rejectedPerS: Math.round((judged.rejected * 1000) / elapsed),
        honest: honest.length,
        honestFolded: latencies.length,
        p50: pct(latencies, 50),
        p99: pct(latencies, 99),
        stallMs: flood === undefined ? 0 : stall * 100,
        // the target's process (main thread and verify threads), in cores
        targetCores: (cpu.user + cpu.system) / 1000 / elapsed,
        mainBusy: elu.utilization,
        flooderCores,
        loopMaxMs: loop.max / 1e6,
      }
    }
    const results = [await phase('quiet', QUIET_MS)]
    if (raw) {
      // nothing is judged: the flood as fast as gossipsub and the transport take it
      target.pubsub.direct.add(flooderId)
      results.push(await phase('valid flood', FLOOD_MS, 'valid'))
    } else {
      // As deployed: gossipsub scoring graylists the flooder after a few rejects.
      target.pubsub.direct.add(flooderId)
      results.push(await phase('valid flood', FLOOD_MS, 'valid'))
    }
    flooder.send({ cmd: 'stop' })
    honestPeer.send({ cmd: 'stop' })
    const pool = target.stats()
    console.error(
      `mode ${mode ?? 'default'}: refusals by reason ${JSON.stringify(counts.reasons)}${pool === undefined ? '' : `; pool ${JSON.stringify(pool)}`}`,
    )
    return { oneCore, results }
  } finally {
    for (const c of children) c.kill('SIGTERM')
    await target.stop()
    await new Promise((r) => setTimeout(r, 500))
    await rm(dir, { recursive: true, force: true })
  }
}

const modes = (process.env.MODES ?? 'raw,0,default').split(',')
const table = []
for (const m of modes) {
  const r = await run(m === 'default' ? undefined : m === 'raw' ? 'raw' : Number(m))
  for (const x of r.results) table.push({ threads: m, oneCore: r.oneCore, ...x })
}
const f = (n) => (Number.isNaN(n) ? '–' : Math.round(n).toLocaleString('en'))
console.log(
  '| mode (verifyThreads) | 1-core verify/s | phase | sent | accepted/s | rejected/s | × 1 core | honest folded | honest p50 ms | honest p99 ms | longest stall ms | event-loop max ms | target CPU (cores) | main thread busy | flooder CPU (cores) |',
)
console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
for (const x of table) {
  const judged = x.acceptedPerS + x.rejectedPerS
  console.log(
    `| ${x.threads} | ${f(x.oneCore)} | ${x.name} | ${x.sent === undefined ? '–' : f(x.sent)} | ${f(x.acceptedPerS)} | ${f(x.rejectedPerS)} | ${x.name === 'quiet' ? '–' : (judged / x.oneCore).toFixed(2)} | ${x.honestFolded}/${x.honest} | ${f(x.p50)} | ${f(x.p99)} | ${x.stallMs} | ${f(x.loopMaxMs)} | ${x.targetCores.toFixed(2)} | ${Math.round(x.mainBusy * 100)} % | ${Number.isNaN(x.flooderCores) ? '–' : x.flooderCores.toFixed(2)} |`,
  )
}
process.exit(0)
