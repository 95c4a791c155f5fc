// Scale (scripts/bench-scale, docs/BENCHMARKS.md): NODES daemons (default 50), each a
// separate process, on a closed network (one network key: every key holder is a member,
// so members need no direct connection to each other), connected by bootstrap lists
// (each node dials DEGREE random nodes already up: a connected graph, not a full mesh),
// epochs of EPOCH_MS (5 s), INJECTS injections per epoch spread over the epoch and over
// the nodes. Measured over EPOCHS epochs from the nodes' event streams: the fraction of
// epochs agreed everywhere (every node holds every node's vote with its own digest, and
// all froze the same digest: lib/agreement.mjs), close → agreed, and RSS per node.
import { readFile } from 'node:fs/promises'
import { defaultFinalMs, defaultGraceMs, originOf, toHex } from '@alara/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import { AGREEMENT_EVENTS, AgreementTracker } from './lib/agreement.mjs'
import {
  call,
  commitOf,
  cpuSeconds,
  fmt,
  LoadMeter,
  pct,
  Run,
  rssMb,
  sleep,
  startDaemons,
  stopDaemons,
  subscribe,
} from './lib/cluster.mjs'

const NODES = Number(process.env.NODES ?? 50)
const EPOCH_MS = Number(process.env.EPOCH_MS ?? 5000)
const EPOCHS = Number(process.env.EPOCHS ?? 20)
const INJECTS = Number(process.env.INJECTS ?? 10) // per epoch
const DEGREE = Number(process.env.DEGREE ?? 3)
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4)
// PROFILE_DIR: every daemon of the network runs with --cpu-prof there (one file per thread)
const PROFILE_DIR = process.env.PROFILE_DIR
const run = new Run('scale', Number(process.env.DEADLINE_S ?? 1200))
if (PROFILE_DIR !== undefined) run.stopGraceMs = 60_000
const graceMs = defaultGraceMs(EPOCH_MS)
const finalMs = defaultFinalMs(EPOCH_MS)
const mmm = (xs) => `${fmt(Math.min(...xs))} / ${fmt(pct(xs, 50))} / ${fmt(Math.max(...xs))}`

async function memAvailableMb() {
  const info = await readFile('/proc/meminfo', 'utf8')
  return Number(/MemAvailable:\s+(\d+)/.exec(info)?.[1]) / 1024
}

/** Each node dials up to DEGREE distinct random nodes among those already up. */
const lists = []
function bootstrapOf(i, ready) {
  const picks = new Set()
  while (picks.size < Math.min(ready.length, DEGREE))
    picks.add(ready[Math.floor(Math.random() * ready.length)])
  lists[i] = [...picks]
  return lists[i]
}

async function inBatches(items, size, fn) {
  for (let k = 0; k < items.length; k += size) await Promise.all(items.slice(k, k + size).map(fn))
}

const load = new LoadMeter()
try {
  // Does it fit? One idle daemon's RSS, times NODES, against what the machine has free.
  const [probe] = await startDaemons(run, { n: 1, network: 'bench-scale-probe' })
  await sleep(3000)
  const idleMb = await rssMb(probe.pid)
  await stopDaemons(run, [probe])
  const availableMb = await memAvailableMb()
  console.error(
    `scale: an idle daemon holds ${fmt(idleMb)} MB; ${NODES} need ~${fmt((NODES * idleMb) / 1024, 1)} GB of ${fmt(availableMb / 1024, 1)} GB available`,
  )
  if (NODES * idleMb * 1.5 > availableMb)
    throw new Error(`${NODES} daemons of ${fmt(idleMb)} MB do not fit: lower NODES`)

  const t0 = Date.now()
  const nodes = await startDaemons(run, {
    n: NODES,
    network: 'bench-scale',
    closed: true,
    bootstrapOf,
    concurrency: CONCURRENCY,
    config: { epochMs: EPOCH_MS },
    env:
      PROFILE_DIR === undefined
        ? undefined
        : {
            ...process.env,
            // one sample per 5 ms, not per 1 ms: at 1 ms the sampler alone cost an idle
            // daemon ~5 % of a core, so 20 profiled daemons were a load of their own
            NODE_OPTIONS: `--cpu-prof --cpu-prof-interval=5000 --cpu-prof-dir=${PROFILE_DIR}`,
          },
  })
  const startS = (Date.now() - t0) / 1000
  console.error(`scale: ${NODES} daemons ready in ${fmt(startS, 1)} s`)
  // A bootstrap dial at start may have met a node still starting, or timed out in its
  // handshake on a loaded machine: a node left without any peer dials its list again.
  const links = lists.flatMap((js, i) => js.map((j) => [i, j]))
  const alone = (await Promise.all(nodes.map((n) => call(n.api, 'GET', '/v1/status'))))
    .map((s, i) => (s.peers === 0 ? i : -1))
    .filter((i) => i > 0)
  let linksFailed = 0
  await inBatches(
    links.filter(([i]) => alone.includes(i)),
    8,
    ([i, j]) =>
      call(nodes[i].api, 'POST', '/v1/connect', { multiaddr: nodes[j].addr }).catch((err) => {
        linksFailed++
        console.error(`scale: node ${i} could not dial node ${j}: ${err.message}`)
      }),
  )
  const statuses = await Promise.all(nodes.map((n) => call(n.api, 'GET', '/v1/status')))
  const degrees = statuses.map((s) => s.peers)
  const membersSeen = statuses.map((s) => s.members)
  const idleRss = await Promise.all(nodes.map((n) => rssMb(n.pid)))

  const origins = nodes.map((n) => toHex(originOf(peerIdFromString(n.peerId))))
  const first = Math.floor(Date.now() / EPOCH_MS) + 2
  const last = first + EPOCHS - 1
  const tracker = new AgreementTracker({
    origins,
    first,
    last,
    epochMs: EPOCH_MS,
    graceMs,
    finalMs,
    slackMs: EPOCH_MS,
  })
  // connections opened and closed while judging: churn re-runs a catch-up per connection
  const churn = { 'peer:connected': 0, 'peer:disconnected': 0 }
  const streams = await Promise.all(
    nodes.map((n) =>
      subscribe(n.api, [...AGREEMENT_EVENTS, ...Object.keys(churn)], (type, d, atMs) => {
        if (type in churn) {
          if (atMs >= first * EPOCH_MS && atMs < (last + 1) * EPOCH_MS) churn[type]++
        } else tracker.feed(n.index, type, d, atMs)
      }),
    ),
  )
  const cpuOf = () => Promise.all(nodes.map((n) => cpuSeconds(n.pid)))
  console.error(`scale: judging epochs ${first}…${last} (${EPOCHS} × ${EPOCH_MS} ms)`)
  let injectErrors = 0
  const injects = []
  // the daemons' CPU over the judged epochs (all threads of every daemon)
  let cpuStart
  for (let r = first - 1; r <= last; r++)
    for (let k = 0; k < INJECTS; k++) {
      const at = r * EPOCH_MS + Math.round(((k + 0.5) * EPOCH_MS) / INJECTS)
      if (at > Date.now()) await sleep(at - Date.now())
      if (r === first && k === 0) cpuStart = { at: Date.now(), s: await cpuOf() }
      const node = nodes[(r * INJECTS + k) % NODES]
      injects.push(
        call(node.api, 'POST', '/v1/inject', { random: 256 }).catch(() => {
          injectErrors++
        }),
      )
      tracker.judgeDue(Date.now())
    }
  const cpuEnd = { at: Date.now(), s: await cpuOf() }
  const endRss = await Promise.all(nodes.map((n) => rssMb(n.pid)))
  while (!tracker.done) {
    await sleep(500)
    tracker.judgeDue(Date.now())
  }
  await Promise.all(injects)
  for (const s of streams) s.close()
  const judged = tracker.judged
  const agreed = judged.filter((j) => j.passed)
  const latencies = agreed.map((j) => j.closeToAgreedMs)
  const late = judged.map((j) => j.lastCloseLateMs).filter((x) => x !== undefined)
  const loadRange = load.stop()
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ')
  console.log(
    `\nScale, ${when} UTC, commit ${commitOf()}, load average ${loadRange}; ${NODES} daemons, one process each, closed network, each dialing ${DEGREE} random nodes already up; epochs of ${EPOCH_MS} ms (grace ${graceMs}, final ${finalMs}); ${INJECTS} injects of 256 bits per epoch over rotating nodes\n`,
  )
  console.log(
    '| nodes | start (s) | peers per node min / median / max | epochs | agreed everywhere | digest changes | last node closed p50 / p99 ms | close → agreed p50 ms | p99 ms | max ms | RSS idle MB min / median / max | RSS after the run MB min / median / max |',
  )
  console.log('|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---|---|')
  console.log(
    `| ${NODES} | ${fmt(startS)} | ${mmm(degrees)} | ${judged.length} | ${agreed.length} (${fmt((100 * agreed.length) / judged.length, 1)} %) | ${judged.reduce((s, j) => s + j.digestChanges, 0)} | ${fmt(pct(late, 50))} / ${fmt(pct(late, 99))} | ${fmt(pct(latencies, 50))} | ${fmt(pct(latencies, 99))} | ${fmt(Math.max(...latencies))} | ${mmm(idleRss)} | ${mmm(endRss)} |`,
  )
  const failed = judged.filter((j) => !j.passed)
  if (failed.length > 0)
    console.log(
      `\nNot agreed everywhere: ${failed.map((j) => `#${j.epoch - first} (finals ${j.finals}/${NODES}${j.finalsAgree ? ', equal' : ''}${j.agreedAt === undefined ? ', votes never complete' : ''})`).join('; ')}`,
    )
  const wallS = (cpuEnd.at - cpuStart.at) / 1000
  const cores = cpuEnd.s.map((c, i) => (c - cpuStart.s[i]) / wallS)
  const total = cores.reduce((a, b) => a + b, 0)
  console.log(
    `\nDaemons' CPU over the judged epochs (${fmt(wallS)} s): ${fmt(total, 2)} cores in all, per node min / median / max ${fmt(100 * Math.min(...cores), 1)} / ${fmt(100 * pct(cores, 50), 1)} / ${fmt(100 * Math.max(...cores), 1)} % of a core; connections opened / closed while judging (peer:connected / peer:disconnected, all nodes): ${churn['peer:connected']} / ${churn['peer:disconnected']}`,
  )
  console.log(
    `\nMembers seen per node (status.members) min / median / max: ${mmm(membersSeen)}; nodes without a peer after start: ${alone.length} (their ${links.filter(([i]) => alone.includes(i)).length} links dialed again, ${linksFailed} failed); injects failed: ${injectErrors}`,
  )
  await run.stop()
} catch (err) {
  console.error(`scale: ${err.stack ?? err}`)
  await run.exit(1)
}
