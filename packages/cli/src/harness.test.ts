import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DaemonChild, parseReadyLine } from './harness.js'

const READY = {
  event: 'ready',
  peerId: '12D3KooWFake',
  network: 'default',
  apiUrl: 'http://127.0.0.1:1',
  addresses: ['/ip4/127.0.0.1/tcp/4001'],
  home: '/tmp/h',
}

/**
 * Stands in for `alara daemon --json`: MODE=ready prints noise then the ready line. Like the
 * daemon, it handles SIGTERM before it says it is ready: the harness may stop it the moment
 * the line arrives (the other order failed once beside stress-ng: killed by the signal).
 */
const FAKE = `
const mode = process.env.MODE
process.on('SIGTERM', () => process.exit(0))
console.log('noise')
if (mode === 'ready') console.log(${JSON.stringify(JSON.stringify(READY))})
if (mode === 'fail') { console.error('alara: broken (ERR_TEST)'); process.exit(4) }
setInterval(() => {}, 1000)
`

let dir: string
let fake: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alara-cli-harness-'))
  fake = join(dir, 'fake.cjs')
  await writeFile(fake, FAKE)
})
afterAll(() => rm(dir, { recursive: true, force: true }))

function child(mode: string, output: string[] = []): DaemonChild {
  return new DaemonChild({
    args: [],
    binPath: fake,
    env: { ...process.env, MODE: mode },
    label: 'fake',
    onOutput: (_stream, text) => output.push(text),
  })
}

describe('parseReadyLine', () => {
  it('takes the ready object and nothing else', () => {
    expect(parseReadyLine(JSON.stringify(READY))).toEqual(READY)
    expect(parseReadyLine('alara daemon ready: peer x network y api z')).toBeUndefined()
    expect(parseReadyLine(JSON.stringify({ ...READY, event: 'stopped' }))).toBeUndefined()
    expect(parseReadyLine(JSON.stringify({ ...READY, addresses: [1] }))).toBeUndefined()
    expect(parseReadyLine('{"event":"ready"')).toBeUndefined()
    expect(parseReadyLine('null')).toBeUndefined()
  })
})

describe('DaemonChild', () => {
  it('is ready on the JSON line; the rest of its output is passed on', async () => {
    const output: string[] = []
    const c = child('ready', output)
    expect(await c.ready(60_000)).toEqual(READY)
    expect(c.info).toEqual(READY)
    // one chunk or several, as the pipe delivers them
    expect(output.join('')).toMatch(/^noise\n/)
    expect((await c.stop(60_000)).code).toBe(0)
    expect(c.running).toBe(false)
  })

  it('rejects with the last stderr line when the child exits first', async () => {
    const c = child('fail')
    await expect(c.ready(60_000)).rejects.toMatchObject({
      code: 'ERR_DAEMON_START',
      message: 'fake exited before it was ready (code 4): broken (ERR_TEST)',
    })
  })

  it('rejects at the deadline when no ready line comes, and can be killed', async () => {
    const c = child('silent')
    await expect(c.ready(300)).rejects.toThrow(/fake was not ready within 0.3 s/)
    expect((await c.kill()).signal).toBe('SIGKILL')
  })
})
