// Shared by the multi-daemon benchmarks (propagation, epoch, scale): separate `alara
// daemon` processes on loopback started through the CLI's process harness (JSON ready
// line), their control APIs, their event streams (GET /v1/events, server-sent events:
// the benchmarks listen, they never poll), and a hard deadline that stops every process
// a benchmark started, also on Ctrl-C or an error.
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { DaemonChild } from '../../../cli/dist/harness.js'
import { initRepo, writeRepoNetworkKey } from '../../dist/index.js'

export const pct = (xs, p) => {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]
}
export const fmt = (x, digits = 0) =>
  Number.isFinite(x) ? x.toLocaleString('en', { maximumFractionDigits: digits }) : '–'
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Load average samples, for the table's "load" column (the machine is shared). */
export class LoadMeter {
  samples = []
  #timer = setInterval(() => this.samples.push(loadavg()[0]), 5000).unref()
  constructor() {
    this.samples.push(loadavg()[0])
  }
  stop() {
    clearInterval(this.#timer)
    this.samples.push(loadavg()[0])
    const min = Math.min(...this.samples)
    const max = Math.max(...this.samples)
    return `${min.toFixed(1)}–${max.toFixed(1)}`
  }
}

/** Resident set size of a process, MB (VmRSS: main thread and workers alike). */
export async function rssMb(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024
}

/** CPU seconds a process has used so far, all its threads (utime + stime of /proc/PID/stat). */
export async function cpuSeconds(pid) {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ')
  return (Number(fields?.[11]) + Number(fields?.[12])) / 100
}

/**
 * Everything a benchmark started, stopped on every way out: done, an error, Ctrl-C, or
 * the hard deadline (`DEADLINE_S`, default `defaultS`). Children run in their own process
 * group, so a Ctrl-C reaches only the benchmark, which stops them.
 */
export class Run {
  children = []
  dirs = []
  #stopping
  constructor(name, defaultS) {
    this.name = name
    const deadlineS = Number(process.env.DEADLINE_S ?? defaultS)
    this.deadlineAt = Date.now() + deadlineS * 1000
    const timer = setTimeout(() => {
      console.error(`${name}: hard deadline of ${deadlineS} s reached, stopping everything`)
      void this.exit(2)
    }, deadlineS * 1000)
    timer.unref()
    for (const sig of ['SIGINT', 'SIGTERM'])
      process.once(sig, () => {
        console.error(`${name}: ${sig}, stopping everything`)
        void this.exit(130)
      })
    process.once('uncaughtException', (err) => {
      console.error(err)
      void this.exit(1)
    })
    process.once('unhandledRejection', (err) => {
      console.error(err)
      void this.exit(1)
    })
    // a last resort if this process dies without stopping them
    process.once('exit', () => {
      for (const c of this.children) c.signal('SIGKILL')
    })
  }
  async tempDir() {
    const dir = await mkdtemp(join(tmpdir(), `alara-${this.name}-`))
    this.dirs.push(dir)
    return dir
  }
  /**
   * Stops every child (SIGTERM, SIGKILL after `stopGraceMs`, 5 s unless set: a profiled
   * daemon needs longer to write its profile) and removes the temporary dirs.
   */
  stopGraceMs = 5000
  stop() {
    this.#stopping ??= (async () => {
      await Promise.all(this.children.map((c) => c.stop(this.stopGraceMs)))
      await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })))
    })()
    return this.#stopping
  }
  async exit(code) {
    await this.stop().catch(() => undefined)
    process.exit(code)
  }
}

/**
 * Makes `n` repos (network `network`; a shared network key when `closed`) and starts them
 * as `alara daemon --json` children, at most `concurrency` starting at once, each
 * listening on a loopback port of its own choosing. Node i is launched with the bootstrap
 * list `bootstrapOf(i, ready)`, `ready` the indexes of the nodes already up (their
 * addresses come from their ready lines). `args(i)` adds flags (e.g. --epoch-ms),
 * `config` keys of config.json, `env` the children's environment (default: this one's).
 * Returns the nodes in index order once all are ready.
 */
export async function startDaemons(run, opts) {
  const { n, network, closed = false, bootstrapOf = () => [], concurrency = 4 } = opts
  const root = await run.tempDir()
  const key = closed ? (await import('../../dist/index.js')).generateNetworkKey() : undefined
  const nodes = []
  for (let i = 0; i < n; i++) {
    const home = join(root, `node${i}`)
    const { peerId } = await initRepo(home, { network })
    if (key !== undefined) await writeRepoNetworkKey(home, key)
    nodes.push({ index: i, home, peerId })
  }
  const ready = []
  let next = 0
  const startOne = async (only) => {
    while (next < n) {
      const node = nodes[next++]
      const config = {
        network,
        listen: ['/ip4/127.0.0.1/tcp/0'],
        api: '127.0.0.1:0',
        mdns: false,
        dht: false,
        bootstrap: bootstrapOf(node.index, [...ready]).map((j) => nodes[j].addr),
        ...(opts.config ?? {}),
      }
      await writeFile(join(node.home, 'config.json'), JSON.stringify(config, null, 2))
      const child = new DaemonChild({
        args: ['daemon', '--home', node.home, '--json', ...(opts.args?.(node.index) ?? [])],
        detached: true,
        label: `${run.name} node ${node.index}`,
        env: opts.env,
      })
      run.children.push(child)
      const info = await child.ready(Math.max(1000, run.deadlineAt - Date.now()))
      const tcp = info.addresses.find((a) => a.startsWith('/ip4/127.0.0.1/tcp/'))
      node.addr = tcp.includes('/p2p/') ? tcp : `${tcp}/p2p/${info.peerId}`
      node.child = child
      node.pid = child.pid
      node.api = {
        url: info.apiUrl,
        token: (await readFile(join(node.home, 'api.token'), 'utf8')).trim(),
      }
      ready.push(node.index)
      if (only) return
    }
  }
  // node 0 alone first, so that every later node has someone to bootstrap from
  await startOne(true)
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, () => startOne(false)))
  return nodes
}

/** Stops these nodes (SIGTERM, SIGKILL after 5 s); the run forgets them. */
export async function stopDaemons(run, nodes) {
  await Promise.all(nodes.map((n) => n.child?.stop(5000)))
  run.children = run.children.filter((c) => !nodes.some((n) => n.child === c))
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 })

/** One control-API call (node:http, keep-alive); rejects on a non-2xx answer. */
export function call(api, method, path, body) {
  const url = new URL(path, api.url)
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${api.token}`,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d) => {
          text += d
        })
        res.on('end', () => {
          if ((res.statusCode ?? 500) >= 300)
            reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`))
          else resolve(text === '' ? undefined : JSON.parse(text))
        })
      },
    )
    req.once('error', reject)
    req.end(payload)
  })
}

/**
 * Follows a node's event stream: `onEvent(type, detail, atMs)` per event, `atMs` the
 * Date.now() at which this process read it. Resolves once subscribed (the server's first
 * comment arrived); `close()` ends it.
 */
export function subscribe(api, types, onEvent) {
  const url = new URL(`/v1/events?types=${types.join(',')}`, api.url)
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${api.token}` } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`GET /v1/events: ${res.statusCode}`))
        res.resume()
        return
      }
      res.setEncoding('utf8')
      let buf = ''
      let subscribed = false
      res.on('data', (chunk) => {
        const atMs = Date.now()
        buf += chunk
        let end = buf.indexOf('\n\n')
        while (end >= 0) {
          const frame = buf.slice(0, end)
          buf = buf.slice(end + 2)
          end = buf.indexOf('\n\n')
          let type
          let data
          for (const line of frame.split('\n')) {
            if (line.startsWith('event: ')) type = line.slice(7)
            else if (line.startsWith('data: ')) data = line.slice(6)
          }
          if (type !== undefined && data !== undefined) onEvent(type, JSON.parse(data), atMs)
        }
        if (!subscribed) {
          subscribed = true
          resolve({ close: () => req.destroy() })
        }
      })
      res.on('error', () => undefined)
    })
    req.once('error', (err) => (err.code === 'ECONNRESET' ? undefined : reject(err)))
    req.end()
  })
}

/** Waits until every node counts `want(i)` connected peers (GET /v1/status every 250 ms). */
export async function waitForPeers(run, nodes, want, timeoutMs = 60_000) {
  const until = Math.min(Date.now() + timeoutMs, run.deadlineAt)
  for (;;) {
    const peers = await Promise.all(nodes.map((n) => call(n.api, 'GET', '/v1/status')))
    const short = nodes.filter((n, i) => peers[i].peers < want(n.index))
    if (short.length === 0) return
    if (Date.now() > until)
      throw new Error(
        `nodes ${short.map((n) => n.index).join(', ')} are short of peers after ${timeoutMs / 1000} s`,
      )
    await sleep(250)
  }
}

/** The commit this benchmark ran on, for the table's caption. */
export function commitOf() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
  } catch {
    return 'unknown'
  }
}
