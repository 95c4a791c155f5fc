import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DaemonProcess } from './helpers/daemon.js'
import { injectRandom } from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { connectMesh } from './helpers/network.js'
import { StreamingCli } from './helpers/stream-cli.js'
import { eventually } from './helpers/wait.js'

/**
 * `alara watch` on a real two-node devnet: an inject shows up as the contribution folded
 * and the epoch closing (and its consensus), in JSON lines and in the human lines; Ctrl-C
 * ends it with 0, the daemon going away with one line and 1.
 */

const h = new Harness('watch')
let a: DaemonProcess
let b: DaemonProcess
const watchers: StreamingCli[] = []

function watch(d: DaemonProcess, json: boolean): StreamingCli {
  const w = new StreamingCli(['--home', d.home, 'watch', ...(json ? ['--json'] : [])])
  watchers.push(w)
  return w
}

interface Line {
  type: string
  timeMs: number
  [k: string]: unknown
}

const parse = (line: string): Line => JSON.parse(line) as Line

beforeAll(async () => {
  ;[a, b] = await Promise.all([h.start(), h.start()])
  await connectMesh([a, b])
}, 120_000)

afterAll(async () => {
  for (const w of watchers) await w.interrupt()
  await h.cleanup()
})

describe('alara watch', () => {
  it('--json shows the inject folded and its epoch closing, one object a line', async () => {
    const json = watch(a, true)
    const human = watch(b, false)
    // both streams are open once a first event (an epoch closing, every second) came
    await json.waitLine(() => true, 30_000, 'a first event')
    await human.waitLine(() => true, 30_000, 'a first event')
    const injected = await injectRandom(a, 256)
    const id = injected.ids[0]
    const folded = parse(
      await json.waitLine(
        (l) => parse(l).type === 'contribution:folded' && parse(l).idHex === id,
        30_000,
        `contribution:folded of ${id}`,
      ),
    )
    expect(folded).toMatchObject({ epoch: injected.epoch, bitLength: 256, via: 'inject' })
    expect(folded.timeMs).toBeGreaterThan(0)
    const closed = parse(
      await json.waitLine(
        (l) => parse(l).type === 'epoch:closed' && parse(l).epoch === injected.epoch,
        30_000,
        `epoch:closed of ${injected.epoch}`,
      ),
    )
    expect(closed.count).toBe(1)
    expect(closed.digestHex).toMatch(/^[0-9a-f]{64}$/)
    await json.waitLine(
      (l) => parse(l).type === 'consensus:changed' && parse(l).epoch === injected.epoch,
      30_000,
      `consensus:changed of ${injected.epoch}`,
    )
    // every line is one JSON object with a type and a time
    for (const line of json.lines) expect(parse(line)).toMatchObject({ type: expect.any(String) })

    // the other node, in words
    await human.waitLine(
      (l) => /folded 256 bits from \S+ \(epoch \d+, via gossip/.test(l),
      30_000,
      'a human line for the folded contribution',
    )
    await human.waitLine(
      (l) =>
        new RegExp(`^\\d\\d:\\d\\d:\\d\\d epoch ${injected.epoch} closed: 1 contribution`).test(l),
      30_000,
      'a human line for the epoch closing',
    )
    expect(await json.interrupt()).toBe(0)
  }, 120_000)

  it('ends with one line and exit 1 when the daemon goes away', async () => {
    const w = watch(b, false)
    await w.waitLine(() => true, 30_000, 'a first event')
    await b.stop()
    expect(await w.exited).toBe(1)
    expect(w.stderr.trim().split('\n').at(-1)).toMatch(
      /^alara: the daemon at http:\/\/127\.0\.0\.1:\d+ ended the event stream \(it stopped or restarted\) \(ERR_DAEMON_GONE\)$/,
    )
  }, 60_000)

  it('--reconnect waits for a restarted daemon and goes on', async () => {
    const c = await h.start()
    const w = new StreamingCli(['--home', c.home, 'watch', '--json', '--reconnect'])
    watchers.push(w)
    await w.waitLine(() => true, 30_000, 'a first event')
    await c.stop()
    await eventually(
      () =>
        expect(w.stderr).toContain(
          'ended the event stream (it stopped or restarted); waiting for the daemon',
        ),
      { timeoutMs: 30_000, intervalMs: 100 },
    )
    expect(w.child.exitCode).toBeNull()
    const seen = w.lines.length
    await h.start({ home: c.home }) // a new control API port: watch finds it again
    await w.waitLine(
      (l) => w.lines.indexOf(l) >= seen && parse(l).type === 'epoch:closed',
      60_000,
      'an epoch closing after the restart',
    )
    expect(await w.interrupt()).toBe(0)
  }, 180_000)
})
