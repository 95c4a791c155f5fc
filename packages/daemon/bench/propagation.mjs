// Propagation (scripts/bench-propagation, docs/BENCHMARKS.md): publish on one node →
// received on every other node, for ALARA daemons and for raw gossipsub, each as NODES
// separate processes in a full mesh on loopback, the same message size and schedule
// (COUNT messages at RATE per second, the publisher rotating), one after the other in
// the same run.
//
// Clocks: every process runs on this machine's one clock and stamps with Date.now()
// (integer ms; a difference of two stamps is exact to ±1 ms, unbiased). ALARA's network
// part is a receiver's `contribution:folded.receivedMs` − the injector's
// `inject:done.publishedMs` (when its publish began, after signing and the synced
// write); raw gossipsub's is a receiver's stamp in its 'message' handler − the
// publisher's stamp just before `publish()`. The inject part is reported apart:
// `inject:done.ms` (sign, synced write, fold, publish, inside the daemon) and the HTTP
// round trip of POST /v1/inject seen by this process.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { encodeContribution, originOf, signContribution } from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import {
  call,
  commitOf,
  fmt,
  LoadMeter,
  pct,
  Run,
  sleep,
  startDaemons,
  subscribe,
  waitForPeers,
} from './lib/cluster.mjs'

const NODES = Number(process.env.NODES ?? 5)
const COUNT = Number(process.env.COUNT ?? 200)
const RATE = Number(process.env.RATE ?? 20)
const BITS = Number(process.env.BITS ?? 256)
const WARMUP = 2 * NODES
const SETTLE_MS = 5000 // after the last publish, for late deliveries
const run = new Run('propagation', Number(process.env.DEADLINE_S ?? 300))
const rawsubJs = new URL('./rawsub.mjs', import.meta.url).pathname

/** The size of an encoded contribution of BITS bits: the raw messages' size. */
async function messageSize() {
  const key = await generateKeyPair('Ed25519')
  const c = await signContribution(key, {
    network: 'bench-propagation',
    origin: originOf(peerIdFromPrivateKey(key)),
    seq: 1,
    epoch: Math.floor(Date.now() / 5000),
    timestampMs: Date.now(),
    bitLength: BITS,
    bits: new Uint8Array(randomBytes(Math.ceil(BITS / 8))),
  })
  return encodeContribution(c).length
}

/** Calls `fire(k)` for k = 0…total-1 at `rate` per second on absolute times (no drift). */
async function schedule(total, rate, fire) {
  const start = Date.now() + 100
  const pending = []
  for (let k = 0; k < total; k++) {
    const wait = start + (k * 1000) / rate - Date.now()
    if (wait > 0) await sleep(wait)
    pending.push(fire(k))
  }
  await Promise.all(pending)
}

/** A raw gossipsub child process, stoppable like the daemons (Run.children). */
class RawChild {
  #waiters = []
  constructor(onEvent) {
    this.process = spawn(process.execPath, [rawsubJs], {
      stdio: ['pipe', 'pipe', 'inherit'],
      detached: true,
    })
    this.exited = new Promise((r) => this.process.once('exit', r))
    createInterface({ input: this.process.stdout }).on('line', (line) => {
      const v = JSON.parse(line)
      onEvent(v)
      const i = this.#waiters.findIndex((w) => w.event === v.event)
      if (i >= 0) this.#waiters.splice(i, 1)[0].resolve(v)
    })
  }
  send(cmd) {
    this.process.stdin.write(`${JSON.stringify(cmd)}\n`)
  }
  next(event) {
    return new Promise((resolve, reject) => {
      this.#waiters.push({ event, resolve })
      this.exited.then(() => reject(new Error(`rawsub exited before ${event}`)))
    })
  }
  signal(sig) {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill(sig)
  }
  async stop(graceMs) {
    this.signal('SIGTERM')
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs)
    await this.exited
    clearTimeout(timer)
  }
}

/** Per delivery and per message (the last of the other nodes) latencies. */
function summarize(name, published, received) {
  const one = []
  const all = []
  let missing = 0
  for (const [key, t0] of published) {
    const got = received.get(key) ?? []
    missing += NODES - 1 - got.length
    for (const t of got) one.push(t - t0)
    if (got.length === NODES - 1) all.push(Math.max(...got) - t0)
  }
  return { name, one, all, missing, messages: published.size }
}

async function rawPhase(size) {
  const published = new Map() // seq -> t
  const received = new Map() // seq -> [t]
  const children = Array.from({ length: NODES }, () => {
    const child = new RawChild((v) => {
      if (v.event === 'published') published.set(v.seq, v.t)
      if (v.event === 'recv') {
        if (!received.has(v.seq)) received.set(v.seq, [])
        received.get(v.seq).push(v.t)
      }
    })
    run.children.push(child)
    return child
  })
  const addrs = (await Promise.all(children.map((c) => c.next('ready')))).map((v) => v.addr)
  // full mesh: node i dials every node before it
  await Promise.all(
    children.map((c, i) => {
      const dialed = c.next('dialed')
      c.send({ cmd: 'dial', addrs: addrs.slice(0, i) })
      return dialed
    }),
  )
  await Promise.all(
    children.map((c) => {
      const meshed = c.next('meshed')
      c.send({ cmd: 'mesh', want: NODES - 1 })
      return meshed
    }),
  )
  const total = WARMUP + COUNT
  await schedule(total, RATE, async (k) => {
    children[k % NODES].send({ cmd: 'publish', seq: k, size })
  })
  await sleep(SETTLE_MS)
  for (let k = 0; k < WARMUP; k++) published.delete(k)
  await Promise.all(children.map((c) => c.stop(5000)))
  return summarize('raw gossipsub', published, received)
}

async function alaraPhase() {
  const nodes = await startDaemons(run, {
    n: NODES,
    network: 'bench-propagation',
    bootstrapOf: (i) => Array.from({ length: i }, (_, j) => j),
    concurrency: 1, // node i dials nodes 0…i-1 at start: they must be up
  })
  await waitForPeers(run, nodes, () => NODES - 1)
  const injectDone = new Map() // idHex -> { node, ms, publishedMs }
  const received = new Map() // idHex -> [receivedMs]
  const via = {}
  await Promise.all(
    nodes.map((n) =>
      subscribe(n.api, ['contribution:folded', 'inject:done'], (type, d) => {
        if (type === 'inject:done')
          for (const id of d.ids)
            injectDone.set(id, { node: n.index, ms: d.ms, publishedMs: d.publishedMs })
        else if (d.via !== 'inject') {
          via[d.via] = (via[d.via] ?? 0) + 1
          if (!received.has(d.idHex)) received.set(d.idHex, [])
          received.get(d.idHex).push(d.receivedMs)
        }
      }),
    ),
  )
  const apiMs = []
  const ids = []
  const total = WARMUP + COUNT
  await schedule(total, RATE, async (k) => {
    const t0 = Date.now()
    const res = await call(nodes[k % NODES].api, 'POST', '/v1/inject', { random: BITS })
    if (k >= WARMUP) {
      apiMs.push(Date.now() - t0)
      ids.push(res.ids[0])
    }
  })
  await sleep(SETTLE_MS)
  const published = new Map(ids.map((id) => [id, injectDone.get(id)?.publishedMs ?? Number.NaN]))
  const injectMs = ids.map((id) => injectDone.get(id)?.ms ?? Number.NaN)
  const r = summarize('ALARA', published, received)
  return { ...r, apiMs, injectMs, via }
}

const load = new LoadMeter()
try {
  const size = await messageSize()
  console.error(`propagation: ${NODES} nodes, ${COUNT} messages of ${size} B at ${RATE}/s`)
  const raw = await rawPhase(size)
  console.error('propagation: raw gossipsub done, starting the daemons')
  const alara = await alaraPhase()
  const loadRange = load.stop()
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ')
  console.log(
    `\nPropagation, ${when} UTC, commit ${commitOf()}, load average ${loadRange}; ${NODES} processes per system, full mesh on loopback, ${COUNT} messages of ${size} B at ${RATE}/s, publisher rotating (after ${WARMUP} warm-up messages)\n`,
  )
  console.log(
    '| system | deliveries | one node p50 ms | one node p99 ms | all other nodes p50 ms | all other nodes p99 ms | max ms |',
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|')
  for (const r of [raw, alara])
    console.log(
      `| ${r.name} | ${r.one.length}/${r.messages * (NODES - 1)} | ${fmt(pct(r.one, 50))} | ${fmt(pct(r.one, 99))} | ${fmt(pct(r.all, 50))} | ${fmt(pct(r.all, 99))} | ${fmt(Math.max(...r.all))} |`,
    )
  const ratio = pct(alara.all, 99) / pct(raw.all, 99)
  const ratioOne = pct(alara.one, 99) / pct(raw.one, 99)
  console.log(
    `\nALARA p99 / raw p99: all other nodes ${fmt(ratio, 2)}, one node ${fmt(ratioOne, 2)} (target ≤ 1.5); ALARA deliveries by ${JSON.stringify(alara.via)}\n`,
  )
  console.log('| ALARA inject part | p50 ms | p99 ms | max ms |')
  console.log('|---|---:|---:|---:|')
  console.log(
    `| in the daemon (sign, synced write, fold, publish: inject:done.ms) | ${fmt(pct(alara.injectMs, 50))} | ${fmt(pct(alara.injectMs, 99))} | ${fmt(Math.max(...alara.injectMs))} |`,
  )
  console.log(
    `| POST /v1/inject round trip | ${fmt(pct(alara.apiMs, 50))} | ${fmt(pct(alara.apiMs, 99))} | ${fmt(Math.max(...alara.apiMs))} |`,
  )
  await run.stop()
} catch (err) {
  console.error(`propagation: ${err.stack ?? err}`)
  await run.exit(1)
}
