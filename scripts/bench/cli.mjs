// How long the CLI takes against a running daemon, next to a bare `node -e 0`, like
// hyperfine: RUNS runs of each command, interleaved (so each sees the same background
// load), after WARMUP runs. Starts one daemon in a temporary home and stops it.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const RUNS = Number(process.env.RUNS ?? 20)
const WARMUP = Number(process.env.WARMUP ?? 3)
const root = new URL('../..', import.meta.url).pathname
const wrapper = join(root, 'scripts/alara')
const home = await mkdtemp(join(tmpdir(), 'alara-bench-cli-'))
const run = (args) => spawnSync(wrapper, args, { encoding: 'utf8' })
if (run(['init', '--home', home]).status !== 0) throw new Error('alara init failed')
await writeFile(
  join(home, 'config.json'),
  JSON.stringify({ listen: ['/ip4/127.0.0.1/tcp/0'], api: '127.0.0.1:0', mdns: false, dht: false }),
)
const daemon = spawn(wrapper, ['daemon', '--home', home, '--json'], {
  stdio: ['ignore', 'pipe', 'ignore'],
})
try {
  await new Promise((resolve, reject) => {
    createInterface({ input: daemon.stdout }).on('line', (l) => l.includes('"ready"') && resolve())
    daemon.once('exit', () => reject(new Error('daemon exited')))
  })
  const cases = [
    ['node -e 0', process.execPath, ['-e', '0']],
    ['alara --version', wrapper, ['--version']],
    ['alara status', wrapper, ['status', '--home', home]],
    ['alara status --json', wrapper, ['status', '--home', home, '--json']],
  ]
  const times = cases.map(() => [])
  for (let i = 0; i < WARMUP + RUNS; i++)
    cases.forEach(([, cmd, args], k) => {
      const t0 = process.hrtime.bigint()
      const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status} ${r.stderr}`)
      if (i >= WARMUP) times[k].push(ms)
    })
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b)
    const mean = s.reduce((a, b) => a + b, 0) / s.length
    const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / s.length)
    return { mean, sd, min: s[0], p50: s[Math.floor(s.length / 2)], max: s[s.length - 1] }
  }
  const base = stats(times[0])
  console.log(`${RUNS} runs each (after ${WARMUP} warm-up), interleaved; ms`)
  console.log('| command | mean ± sd | min | p50 | max | p50 / node -e 0 |')
  console.log('|---|---:|---:|---:|---:|---:|')
  cases.forEach(([name], k) => {
    const s = stats(times[k])
    const f = (x) => x.toFixed(0)
    console.log(
      `| \`${name}\` | ${f(s.mean)} ± ${f(s.sd)} | ${f(s.min)} | ${f(s.p50)} | ${f(s.max)} | ${(s.p50 / base.p50).toFixed(2)} |`,
    )
  })
} finally {
  daemon.kill('SIGTERM')
  await new Promise((r) => daemon.once('exit', r))
  await rm(home, { recursive: true, force: true })
}
