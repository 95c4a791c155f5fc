import { type ChildProcess, spawn } from 'node:child_process'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { Harness } from './helpers/harness.js'
import { childEnv, REPO_ROOT } from './helpers/paths.js'

/**
 * The repo lock under real contention: many processes call lockRepo on one repo at the
 * same instant (released together by one line on stdin); exactly one wins, the others
 * get ERR_REPO_LOCKED, also when they race to take over a stale lock (dead pid).
 */

const STARTERS = 20
const ROUNDS = 2
const LOCK_MODULE = pathToFileURL(join(REPO_ROOT, 'packages/daemon/dist/repo/repo-lock.js')).href

// each child: ready, wait for "go", lock, report, hold the lock until stdin closes
const CHILD = `
import { lockRepo } from ${JSON.stringify(LOCK_MODULE)}
const home = process.argv[1]
const logs = []
process.stdout.write('ready\\n')
process.stdin.setEncoding('utf8')
let started = false
process.stdin.on('data', async () => {
  if (started) return
  started = true
  try {
    await lockRepo(home, { log: (m) => logs.push(m) })
    process.stdout.write(JSON.stringify({ won: true, pid: process.pid, logs }) + '\\n')
  } catch (err) {
    process.stdout.write(JSON.stringify({ won: false, code: err.code, message: err.message }) + '\\n')
  }
})
process.stdin.on('end', () => process.exit(0))
`

interface Outcome {
  won: boolean
  pid?: number
  logs?: string[]
  code?: string
  message?: string
}

function starter(home: string): {
  child: ChildProcess
  ready: Promise<void>
  outcome: Promise<Outcome>
} {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, home], {
    env: childEnv(),
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  child.stdout?.setEncoding('utf8')
  let out = ''
  let onReady: () => void = () => {}
  const ready = new Promise<void>((resolve) => {
    onReady = resolve
  })
  const outcome = new Promise<Outcome>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      out += chunk
      if (out.startsWith('ready\n')) onReady()
      const line = out.split('\n')[1]
      if (line !== undefined && line !== '') resolve(JSON.parse(line) as Outcome)
    })
    child.once('exit', (code) => reject(new Error(`starter exited early (${code}): ${out}`)))
  })
  return { child, ready, outcome }
}

async function race(home: string): Promise<{ outcomes: Outcome[]; children: ChildProcess[] }> {
  const starters = Array.from({ length: STARTERS }, () => starter(home))
  await Promise.all(starters.map((s) => s.ready))
  for (const s of starters) s.child.stdin?.write('go\n')
  const outcomes = await Promise.all(starters.map((s) => s.outcome))
  return { outcomes, children: starters.map((s) => s.child) }
}

async function endAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve()
          c.once('exit', () => resolve())
          c.stdin?.end()
        }),
    ),
  )
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  const pid = child.pid as number
  await new Promise((resolve) => child.once('exit', resolve))
  return pid
}

const h = new Harness('repo-lock')
afterAll(() => h.cleanup())

function checkOneWinner(outcomes: Outcome[]): Outcome {
  const winners = outcomes.filter((o) => o.won)
  expect(winners, JSON.stringify(outcomes)).toHaveLength(1)
  const losers = outcomes.filter((o) => !o.won)
  expect(losers.map((o) => o.code)).toEqual(Array(STARTERS - 1).fill('ERR_REPO_LOCKED'))
  for (const l of losers) expect(l.message).toContain(`pid ${winners[0]?.pid}`)
  return winners[0] as Outcome
}

describe('repo lock under contention', () => {
  it(`${STARTERS} simultaneous starters on a free repo: exactly one wins`, async () => {
    const home = await h.home('lock-free')
    let previous: number | undefined
    for (let round = 0; round < ROUNDS; round++) {
      const { outcomes, children } = await race(home)
      const winner = checkOneWinner(outcomes)
      // after the first round the previous winner has exited without release: stale
      expect(winner.logs).toEqual(
        previous === undefined
          ? []
          : [`repo.lock: took over the stale lock of pid ${previous} (not running)`],
      )
      previous = winner.pid
      expect((await readFile(join(home, 'repo.lock'), 'utf8')).trim()).toBe(String(winner.pid))
      await endAll(children) // they exit without release
    }
  }, 120_000)

  it(`${STARTERS} simultaneous starters on a stale lock: exactly one takes it over and says so`, async () => {
    const home = await h.home('lock-stale')
    for (let round = 0; round < ROUNDS; round++) {
      const dead = await deadPid()
      await writeFile(join(home, 'repo.lock'), `${dead}\n`)
      const { outcomes, children } = await race(home)
      const winner = checkOneWinner(outcomes)
      expect(winner.logs).toEqual([
        `repo.lock: took over the stale lock of pid ${dead} (not running)`,
      ])
      expect((await readFile(join(home, 'repo.lock'), 'utf8')).trim()).toBe(String(winner.pid))
      // no temporary lock or takeover guard is left behind
      expect((await readdir(home)).filter((f) => f !== 'repo.lock')).toEqual([])
      await endAll(children)
    }
  }, 120_000)
})
