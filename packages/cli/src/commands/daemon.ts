import type { ReadyInfo } from '@alara/daemon'
import type { Command } from 'commander'
import type { Context } from '../context.js'
import { installFatalHandlers } from '../fatal.js'
import { watchShutdown } from '../signals.js'
import { applyEnv, daemonOptions, daemonOverrides } from './daemon-options.js'

/** What `alara daemon` prints once it runs: the ready line, then one line per address. */
export function renderReady(r: ReadyInfo): string {
  return [
    `alara daemon ready: peer ${r.peerId} network ${r.network} api ${r.apiUrl}`,
    ...(r.publicApiUrl === undefined ? [] : [`  public beacon API ${r.publicApiUrl}/public/info`]),
    ...(r.metricsUrl === undefined ? [] : [`  metrics ${r.metricsUrl}/metrics`]),
    ...r.addresses.map((a) => `  listening ${a}`),
  ].join('\n')
}

/**
 * A line that scripts, `alara devnet` and the tests wait for (harness.ts): --json prints
 * it as one line, `{"event":"ready",…}`.
 */
export function renderReadyJson(r: ReadyInfo): string {
  return JSON.stringify(r)
}

/**
 * After a clean stop, a library handle left open must not keep the process alive: libp2p
 * leaves 1 s timers behind (the address manager's debounce, gossipsub's next heartbeat),
 * which held every stop for a second. Everything the daemon owns is closed by then, and
 * stdout/stderr writes to files and pipes are synchronous on Linux.
 */
const EXIT_GRACE_MS = 100

export function registerDaemon(program: Command, ctx: Context): void {
  const command = program
    .command('daemon')
    .description(
      'run the node in the foreground until SIGINT/SIGTERM (initialises the repo when missing); every flag also reads an ALARA_* variable',
    )
  for (const option of daemonOptions()) command.addOption(option)
  command
    .hook('preAction', (_program, action) => applyEnv(action, ctx.io.env))
    .action(async (_flags: object, cmd: Command) => {
      const globals = ctx.globals(cmd)
      const overrides = daemonOverrides(cmd, globals.api)
      const home = ctx.home(cmd)
      // a signal during start-up is honoured once the node is up, so it always stops cleanly
      const shutdown = watchShutdown(ctx.io, () => ctx.note('alara: second signal: exiting now'))
      // never silently: a slip anywhere in the daemon is logged and ends the process
      let stopDaemon: (() => Promise<void>) | undefined
      const disposeFatal = installFatalHandlers({
        emitter: process,
        log: (line) => ctx.note(line),
        stop: () => stopDaemon?.(),
        exit: (code) => ctx.io.exit(code),
      })
      try {
        const { createAlaraDaemon, initRepo } = await import('@alara/daemon')
        const repo = await initRepo(home, { network: overrides.network })
        if (repo.created)
          ctx.note(`alara: initialised a new repo at ${repo.home} (peer ${repo.peerId})`)
        const daemon = await createAlaraDaemon({ home, overrides })
        stopDaemon = () => daemon.stop()
        const ready: ReadyInfo = {
          event: 'ready',
          peerId: daemon.peerId,
          network: daemon.network,
          apiUrl: daemon.apiUrl,
          ...(daemon.publicApiUrl === undefined ? {} : { publicApiUrl: daemon.publicApiUrl }),
          ...(daemon.metricsUrl === undefined ? {} : { metricsUrl: daemon.metricsUrl }),
          addresses: daemon.addresses(),
          home,
        }
        ctx.io.stdout.write(`${globals.json ? renderReadyJson(ready) : renderReady(ready)}\n`)
        const signal = await shutdown.requested
        ctx.note(`alara: ${signal}: stopping the daemon (send it again to force)`)
        await daemon.stop()
        ctx.note('alara: daemon stopped')
        setTimeout(() => ctx.io.exit(0), EXIT_GRACE_MS).unref()
      } finally {
        shutdown.dispose()
        disposeFatal()
      }
    })
}
