import type { DaemonOverrides, ReadyInfo } from '@alara/daemon'
import { type Command, InvalidArgumentError } from 'commander'
import type { Context } from '../context.js'
import { UsageError } from '../errors.js'
import { installFatalHandlers } from '../fatal.js'
import { watchShutdown } from '../signals.js'
import {
  parseBootstrapAddr,
  parseHostPort,
  parseMultiaddr,
  parseNetwork,
  parsePositiveInt,
  repeatable,
} from '../validate.js'

interface DaemonFlags {
  network?: string
  listen?: string[]
  bootstrap?: string[]
  epochMs?: number
  publicApi?: string
  mdns: boolean
}

/** What `alara daemon` prints once it runs: the ready line, then one line per address. */
export function renderReady(r: ReadyInfo): string {
  return [
    `alara daemon ready: peer ${r.peerId} network ${r.network} api ${r.apiUrl}`,
    ...(r.publicApiUrl === undefined ? [] : [`  public beacon API ${r.publicApiUrl}/public/info`]),
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

/** Only flags actually given override config.json; absent ones leave it in charge. */
export function daemonOverrides(
  flags: DaemonFlags,
  api: string | undefined,
  cmd: Command,
): DaemonOverrides {
  const overrides: DaemonOverrides = {}
  if (flags.network !== undefined) overrides.network = flags.network
  if (flags.listen !== undefined) overrides.listen = flags.listen
  if (flags.bootstrap !== undefined) overrides.bootstrap = flags.bootstrap
  if (flags.epochMs !== undefined) overrides.epochMs = flags.epochMs
  if (flags.publicApi !== undefined) overrides.publicApi = flags.publicApi
  if (cmd.getOptionValueSource('mdns') === 'cli') overrides.mdns = flags.mdns
  if (api !== undefined) {
    // --api is also the global flag, so commander hands it to the program: check it here
    try {
      overrides.api = parseHostPort(api)
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err
      throw new UsageError(
        cmd,
        `option '--api <host:port>' argument '${api}' is invalid. ${err.message}`,
      )
    }
  }
  return overrides
}

/** After a clean stop, a library handle left open must not keep the process alive. */
const EXIT_GRACE_MS = 2000

export function registerDaemon(program: Command, ctx: Context): void {
  program
    .command('daemon')
    .description(
      'run the node in the foreground until SIGINT/SIGTERM (initialises the repo when missing)',
    )
    .option(
      '--network <name>',
      'network name (a new repo takes it; overrides config.json)',
      parseNetwork,
    )
    .option(
      '--listen <multiaddr>',
      'libp2p listen address (repeatable)',
      repeatable(parseMultiaddr),
    )
    .option(
      '--bootstrap <multiaddr>',
      'peer to dial at start, ending in /p2p/<id> (repeatable)',
      repeatable(parseBootstrapAddr),
    )
    .option(
      '--api <host:port>',
      'control API address; port 0 picks a free one (default: 127.0.0.1:5890)',
    )
    .option(
      '--public-api <host:port>',
      'serve the public beacon API (read-only, no token) there; port 0 picks a free one (default: off)',
      parseHostPort,
    )
    .option(
      '--epoch-ms <n>',
      'epoch length in ms; every node of a network must agree',
      parsePositiveInt,
    )
    .option('--no-mdns', 'no LAN discovery by mDNS')
    .action(async (flags: DaemonFlags, cmd: Command) => {
      const globals = ctx.globals(cmd)
      const overrides = daemonOverrides(flags, globals.api, cmd)
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
