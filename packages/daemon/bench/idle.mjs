// Idle cost (scripts/bench-idle, docs/BENCHMARKS.md): NODES daemons (default 5), each a
// separate process on loopback, epochs of EPOCH_MS (5 s), nothing injected, measured over
// DURATION_S (600) after WARMUP_S (30). What a member costs when nothing happens: CPU
// seconds per daemon per minute and per thread kind (main, libuv's pool,
// the rest: V8's helpers and workers), wake-ups (context switches of all its threads) per second, and RSS.
// MODE=lan (default): the daemon's defaults (mDNS, kad-dht, LAN members), bootstrap to
// node 0. MODE=closed: one network key, mDNS and kad-dht off (what bench-scale runs).
// CONFIG: JSON merged into every node's config.json. PROFILE_DIR: the daemons run with
// --cpu-prof there (1 ms sampling; the CPU figures then include the sampler's cost).
import { readdir, readFile } from 'node:fs/promises'
import {
  commitOf,
  cpuSeconds,
  fmt,
  LoadMeter,
  pct,
  Run,
  rssMb,
  sleep,
  startDaemons,
  waitForPeers,
} from './lib/cluster.mjs'

const NODES = Number(process.env.NODES ?? 5)
const EPOCH_MS = Number(process.env.EPOCH_MS ?? 5000)
const DURATION_S = Number(process.env.DURATION_S ?? 600)
const WARMUP_S = Number(process.env.WARMUP_S ?? 30)
const MODE = process.env.MODE ?? 'lan'
const PROFILE_DIR = process.env.PROFILE_DIR
if (MODE !== 'lan' && MODE !== 'closed') throw new Error(`MODE: lan or closed, not ${MODE}`)
const run = new Run('idle', Number(process.env.DEADLINE_S ?? DURATION_S + WARMUP_S + 300))
if (PROFILE_DIR !== undefined) run.stopGraceMs = 30_000

/** Thread kinds: the main thread (its tid is the pid), libuv's pool by its name, and the
 *  rest (V8's platform threads and worker threads are all named `node`). */
function kindOf(pid, tid, comm) {
  if (tid === String(pid)) return 'main'
  if (comm.startsWith('libuv-worker')) return 'libuv'
  return 'other'
}

/** Per thread kind: CPU seconds, and context switches (each a wake-up or a preemption). */
async function threadsOf(pid) {
  const out = { cpu: {}, switches: 0 }
  for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    const base = `/proc/${pid}/task/${tid}`
    const [comm, stat, status] = await Promise.all([
      readFile(`${base}/comm`, 'utf8').catch(() => ''),
      readFile(`${base}/stat`, 'utf8').catch(() => ''),
      readFile(`${base}/status`, 'utf8').catch(() => ''),
    ])
    const fields = stat.split(') ')[1]?.split(' ')
    if (fields === undefined) continue
    const kind = kindOf(pid, tid, comm.trim())
    out.cpu[kind] = (out.cpu[kind] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100
    for (const m of status.matchAll(/(?:non)?voluntary_ctxt_switches:\s+(\d+)/g))
      out.switches += Number(m[1])
  }
  return out
}

const load = new LoadMeter()
try {
  const nodes = await startDaemons(run, {
    n: NODES,
    network: `bench-idle-${MODE}`,
    closed: MODE === 'closed',
    bootstrapOf: (i) => (i === 0 ? [] : [0]),
    config: {
      epochMs: EPOCH_MS,
      ...(MODE === 'lan' ? { mdns: true, dht: true } : {}),
      ...JSON.parse(process.env.CONFIG ?? '{}'),
    },
    env:
      PROFILE_DIR === undefined
        ? undefined
        : {
            ...process.env,
            NODE_OPTIONS: `--cpu-prof --cpu-prof-interval=${process.env.PROFILE_US ?? 1000} --cpu-prof-dir=${PROFILE_DIR}`,
          },
  })
  await waitForPeers(run, nodes, () => 1)
  console.error(`idle: ${NODES} daemons up (${MODE}); warming up ${WARMUP_S} s`)
  await sleep(WARMUP_S * 1000)
  const before = await Promise.all(nodes.map((n) => threadsOf(n.pid)))
  const cpu0 = await Promise.all(nodes.map((n) => cpuSeconds(n.pid)))
  const t0 = Date.now()
  console.error(`idle: measuring ${DURATION_S} s`)
  await sleep(DURATION_S * 1000)
  const wallS = (Date.now() - t0) / 1000
  const after = await Promise.all(nodes.map((n) => threadsOf(n.pid)))
  const cpu1 = await Promise.all(nodes.map((n) => cpuSeconds(n.pid)))
  const rss = await Promise.all(nodes.map((n) => rssMb(n.pid)))
  const perMin = cpu1.map((c, i) => ((c - cpu0[i]) / wallS) * 60)
  const kinds = ['main', 'libuv', 'other']
  const kindPerMin = (k) =>
    pct(
      after.map((a, i) => (((a.cpu[k] ?? 0) - (before[i]?.cpu[k] ?? 0)) / wallS) * 60),
      50,
    )
  const wakeups = after.map((a, i) => (a.switches - (before[i]?.switches ?? 0)) / wallS)
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ')
  const mmm = (xs, d) =>
    `${fmt(Math.min(...xs), d)} / ${fmt(pct(xs, 50), d)} / ${fmt(Math.max(...xs), d)}`
  console.log(
    `\nIdle, ${when} UTC, commit ${commitOf()}, load average ${load.stop()}; ${NODES} daemons (${MODE}), epochs of ${EPOCH_MS} ms, nothing injected, ${fmt(wallS)} s measured after ${WARMUP_S} s\n`,
  )
  console.log(
    `| mode | CPU s per daemon per minute min / median / max | % of a core (median) | median by thread: ${kinds.join(' / ')} (s/min) | context switches per daemon per s min / median / max | RSS MB min / median / max |`,
  )
  console.log('|---|---|---:|---|---|---|')
  console.log(
    `| ${MODE} | ${mmm(perMin, 3)} | ${fmt((100 * pct(perMin, 50)) / 60, 2)} | ${kinds.map((k) => fmt(kindPerMin(k), 3)).join(' / ')} | ${mmm(wakeups, 1)} | ${mmm(rss)} |`,
  )
  await run.stop()
} catch (err) {
  console.error(`idle: ${err.stack ?? err}`)
  await run.exit(1)
}
