// Epoch period (scripts/bench-epoch, docs/BENCHMARKS.md): the shortest `--epoch-ms` at
// which NODES daemons (separate processes, full mesh on loopback) keep ≥ 99 % of EPOCHS
// consecutive epochs agreed everywhere. A descending LADDER of epoch lengths, a fresh
// network for each (started with `--epoch-ms E` only: graceMs and finalMs follow it),
// one 256-bit inject per epoch on a rotating node; agreement is read from the nodes'
// event streams (lib/agreement.mjs), never polled. A step stops early once more than
// 1 % of its epochs failed, and the ladder stops at the first step that fails.
import { defaultFinalMs, defaultGraceMs, originOf, toHex } from '@alara/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import { AGREEMENT_EVENTS, AgreementTracker } from './lib/agreement.mjs'
import {
  call,
  commitOf,
  fmt,
  LoadMeter,
  pct,
  Run,
  sleep,
  startDaemons,
  stopDaemons,
  subscribe,
  waitForPeers,
} from './lib/cluster.mjs'

const NODES = Number(process.env.NODES ?? 5)
const EPOCHS = Number(process.env.EPOCHS ?? 100)
const LADDER = (process.env.LADDER ?? '1000,500,250,200,150,100').split(',').map(Number)
const ALLOWED_FAILURES = Math.floor(EPOCHS / 100) // ≥ 99 % agreed
const run = new Run('epoch', Number(process.env.DEADLINE_S ?? 600))

/** v: a node lacked a vote or held another digest until final; f: not every node froze it;
 *  d: the final digests differ */
const whyFailed = (j) =>
  `${j.agreedAt === undefined ? 'v' : ''}${j.finals < NODES ? 'f' : ''}${j.finals === NODES && !j.finalsAgree ? 'd' : ''}`

async function step(epochMs) {
  const graceMs = defaultGraceMs(epochMs)
  const finalMs = defaultFinalMs(epochMs)
  const load = new LoadMeter()
  const nodes = await startDaemons(run, {
    n: NODES,
    network: `bench-epoch-${epochMs}`,
    bootstrapOf: (i) => Array.from({ length: i }, (_, j) => j),
    concurrency: 1, // node i dials nodes 0…i-1 at start: they must be up
    args: () => ['--epoch-ms', String(epochMs)],
  })
  await waitForPeers(run, nodes, () => NODES - 1)
  const origins = nodes.map((n) => toHex(originOf(peerIdFromString(n.peerId))))
  // two epochs for the gossip meshes to form before the first judged one
  const first = Math.floor(Date.now() / epochMs) + Math.max(2, Math.ceil(2000 / epochMs))
  const last = first + EPOCHS - 1
  const tracker = new AgreementTracker({ origins, first, last, epochMs, graceMs, finalMs })
  const streams = await Promise.all(
    nodes.map((n) =>
      subscribe(n.api, AGREEMENT_EVENTS, (type, d, atMs) => tracker.feed(n.index, type, d, atMs)),
    ),
  )
  let injectErrors = 0
  const injects = []
  // one inject per epoch, 30 % into it, on node r mod NODES
  for (let r = first - 1; r <= last && tracker.failed <= ALLOWED_FAILURES; r++) {
    const at = r * epochMs + Math.round(epochMs * 0.3)
    if (at > Date.now()) await sleep(at - Date.now())
    injects.push(
      call(nodes[r % NODES].api, 'POST', '/v1/inject', { random: 256 }).catch(() => {
        injectErrors++
      }),
    )
    tracker.judgeDue(Date.now())
  }
  // the last epochs become final finalMs after their end
  while (!tracker.done && tracker.failed <= ALLOWED_FAILURES) {
    await sleep(Math.min(250, epochMs))
    tracker.judgeDue(Date.now())
  }
  await Promise.all(injects)
  for (const s of streams) s.close()
  await stopDaemons(run, nodes)
  const judged = tracker.judged
  const agreed = judged.filter((j) => j.passed)
  const latencies = agreed.map((j) => j.closeToAgreedMs)
  const late = judged.map((j) => j.lastCloseLateMs).filter((x) => x !== undefined)
  return {
    epochMs,
    graceMs,
    finalMs,
    judged: judged.length,
    agreed: agreed.length,
    failed: judged.filter((j) => !j.passed).map((j) => `${j.epoch - first}${whyFailed(j)}`),
    digestChanges: judged.reduce((s, j) => s + j.digestChanges, 0),
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    max: Math.max(...latencies),
    lateP50: pct(late, 50),
    lateP99: pct(late, 99),
    injectErrors,
    passed: judged.length === EPOCHS && tracker.failed <= ALLOWED_FAILURES,
    load: load.stop(),
  }
}

try {
  const rows = []
  for (const epochMs of LADDER) {
    console.error(`epoch: ${NODES} nodes at --epoch-ms ${epochMs}, ${EPOCHS} epochs`)
    const row = await step(epochMs)
    rows.push(row)
    console.error(
      `epoch: ${epochMs} ms: ${row.agreed}/${row.judged} agreed${row.passed ? '' : ' (failed)'}`,
    )
    if (!row.passed) break
  }
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ')
  console.log(
    `\nEpoch period, ${when} UTC, commit ${commitOf()}; ${NODES} daemons, full mesh on loopback, one 256-bit inject per epoch on a rotating node, ${EPOCHS} epochs per step (a step stops once more than ${ALLOWED_FAILURES} failed)\n`,
  )
  console.log(
    '| epochMs | graceMs | finalMs | epochs judged | agreed everywhere | failed (# in step, why) | digest changes | last node closed p50 / p99 ms | close → agreed p50 ms | p99 ms | max ms | load | ≥ 99 % |',
  )
  console.log('|---:|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---|---|')
  for (const r of rows)
    console.log(
      `| ${r.epochMs} | ${r.graceMs} | ${r.finalMs} | ${r.judged} | ${r.agreed} | ${r.failed.join(', ') || '–'} | ${r.digestChanges} | ${fmt(r.lateP50)} / ${fmt(r.lateP99)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${r.load} | ${r.passed ? 'yes' : 'no'} |`,
    )
  console.log(
    '\n(why: v = some node lacked a vote, or held another digest, until final; f = not every node froze it in time; d = final digests differ)',
  )
  const best = rows.filter((r) => r.passed).at(-1)
  console.log(
    `\nShortest epochMs with ≥ 99 % of ${EPOCHS} epochs agreed everywhere: ${best === undefined ? `none of ${LADDER.join(', ')}` : best.epochMs}`,
  )
  const errors = rows.reduce((s, r) => s + r.injectErrors, 0)
  if (errors > 0) console.log(`(${errors} injects failed)`)
  await run.stop()
} catch (err) {
  console.error(`epoch: ${err.stack ?? err}`)
  await run.exit(1)
}
