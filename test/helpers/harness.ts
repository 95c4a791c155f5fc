import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type DaemonOptions, type DaemonProcess, spawnDaemon, startDaemon } from './daemon.js'
import { DEFAULT_TIMING, type Timing } from './epochs.js'
import { makeHome, removeHome } from './home.js'

/**
 * What one test file starts: temp homes and daemons, all stopped and removed by
 * `cleanup()` (call it from afterAll/afterEach), whatever happened in the tests.
 */
export class Harness {
  readonly daemons: DaemonProcess[] = []
  readonly homes: string[] = []
  /** a network name of its own, so files never hear each other */
  readonly network: string
  /** the epoch timing of every daemon started here (graceMs/finalMs in each home) */
  readonly timing: Timing
  readonly #config: { graceMs?: number; finalMs?: number; roundMs?: number }

  /**
   * `timing.graceMs`/`finalMs` other than the defaults go into every home's config.json,
   * for a file whose scenario needs an epoch to stay open or not final for longer, with
   * `roundMs` where the default (graceMs / 2) would put the admission deadline past final.
   */
  constructor(label: string, timing: Partial<Omit<Timing, 'epochMs'>> & { roundMs?: number } = {}) {
    this.network = `e2e-${label}-${randomBytes(3).toString('hex')}`
    const { roundMs: _, ...epochTiming } = timing
    this.timing = { ...DEFAULT_TIMING, ...epochTiming }
    this.#config = timing
  }

  /** A fresh home, with this harness's timing in its config.json when it has one. */
  async home(label = 'node'): Promise<string> {
    const home = await makeHome(label)
    this.homes.push(home)
    if (Object.keys(this.#config).length > 0)
      await writeFile(join(home, 'config.json'), `${JSON.stringify(this.#config, null, 2)}\n`)
    return home
  }

  /** Starts a daemon (in a new home unless one is given) and waits until it is ready. */
  async start(opts: Partial<DaemonOptions> = {}): Promise<DaemonProcess> {
    const home = opts.home ?? (await this.home())
    const pending = startDaemon({ network: this.network, ...opts, home })
    const d = await pending
    this.daemons.push(d)
    return d
  }

  /** Spawns a daemon without waiting for it to be ready (a start expected to fail). */
  spawn(opts: Partial<DaemonOptions> & { home: string }): DaemonProcess {
    const d = spawnDaemon({ network: this.network, ...opts })
    this.daemons.push(d)
    return d
  }

  /** Starts `n` daemons at once (a start is mostly loading code: two cores overlap them). */
  startMany(n: number, opts: Partial<DaemonOptions> = {}): Promise<DaemonProcess[]> {
    return Promise.all(Array.from({ length: n }, () => this.start(opts)))
  }

  /** Stops every daemon (SIGTERM, SIGKILL after 5 s) and removes every home. */
  async cleanup(): Promise<void> {
    const daemons = this.daemons.splice(0)
    await Promise.allSettled(daemons.map((d) => d.stop()))
    const homes = this.homes.splice(0)
    await Promise.allSettled(homes.map((h) => removeHome(h)))
  }

  /** Every daemon's stderr, for a failure message. */
  describe(): string {
    return this.daemons.map((d) => d.describe()).join('\n')
  }
}
