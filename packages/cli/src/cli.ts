import { Command, CommanderError } from 'commander'
import type { ClientOptions } from './client.js'
import { registerBeacon } from './commands/beacon.js'
import { registerConnect } from './commands/connect.js'
import { registerConsensus } from './commands/consensus.js'
import { registerDaemon } from './commands/daemon.js'
import { registerDashboard } from './commands/dashboard.js'
import { registerDevnet } from './commands/devnet.js'
import { registerId } from './commands/id.js'
import { registerInit } from './commands/init.js'
import { registerInject } from './commands/inject.js'
import { registerPeers } from './commands/peers.js'
import { registerPool } from './commands/pool.js'
import { registerQuality } from './commands/quality.js'
import { registerRandom } from './commands/random.js'
import { registerStatus } from './commands/status.js'
import { registerTests } from './commands/tests.js'
import { registerTrust } from './commands/trust.js'
import { registerWatch } from './commands/watch.js'
import { Context } from './context.js'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, formatFailure, UsageError } from './errors.js'
import type { Io } from './io.js'
import { CLI_VERSION } from './version.js'

export interface RunOptions {
  clientOptions?: ClientOptions
}

/** Builds the whole `alara` command tree; a fresh one per run (commander keeps state). */
export function buildProgram(ctx: Context): Command {
  const program = new Command('alara')
    .description('ALARA: a distributed entropy network on libp2p')
    .version(`alara ${CLI_VERSION}`, '-V, --version', 'print the version')
    .option('--home <dir>', 'node repo directory (default: $ALARA_HOME, else ~/.alara)')
    .option('--api <url>', "the daemon's API URL (default: read from HOME/api)")
    .option('--json', 'print one JSON document on stdout')
    .option('--debug', 'print stack traces on errors (also ALARA_DEBUG=1)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    // Errors are printed by run() as `alara: …` plus the usage line.
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      outputError: () => {},
    })

  registerInit(program, ctx)
  registerDaemon(program, ctx)
  registerId(program, ctx)
  registerPeers(program, ctx)
  registerConnect(program, ctx)
  registerTrust(program, ctx)
  registerInject(program, ctx)
  registerPool(program, ctx)
  registerQuality(program, ctx)
  registerTests(program, ctx)
  registerConsensus(program, ctx)
  registerBeacon(program, ctx)
  registerRandom(program, ctx)
  registerStatus(program, ctx)
  registerWatch(program, ctx)
  registerDashboard(program, ctx)
  registerDevnet(program, ctx)

  // Each command throws its own usage error, so the usage line is that command's.
  const overrideAll = (cmd: Command): void => {
    cmd.exitOverride((err) => {
      throw isQuietExit(err) ? err : new UsageError(cmd, err.message.replace(/^error: /, ''))
    })
    for (const sub of cmd.commands) overrideAll(sub)
  }
  overrideAll(program)
  return program
}

function isQuietExit(err: CommanderError): boolean {
  return (
    err.code === 'commander.helpDisplayed' ||
    err.code === 'commander.version' ||
    err.code === 'commander.help'
  )
}

/** `alara trust set [options] <peer> <level>` */
export function usageLine(cmd: Command): string {
  const names: string[] = []
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name())
  return `usage: ${names.join(' ')} ${cmd.usage()}`.trimEnd()
}

function wantsDebug(argv: string[], io: Io): boolean {
  return argv.includes('--debug') || io.env.ALARA_DEBUG === '1'
}

/** Runs one `alara` invocation and returns its exit status (never calls process.exit). */
export async function run(argv: string[], io: Io, opts: RunOptions = {}): Promise<number> {
  const ctx = new Context(io, opts.clientOptions)
  const program = buildProgram(ctx)
  try {
    await program.parseAsync(argv, { from: 'user' })
    return EXIT_OK
  } catch (err) {
    if (err instanceof CommanderError) {
      // help or version printed; bare `alara` printed help to stderr: wrong usage
      return err.code === 'commander.help' ? EXIT_USAGE : EXIT_OK
    }
    if (err instanceof UsageError) {
      io.stderr.write(`alara: ${err.message}\n${usageLine(err.command)}\n`)
      return EXIT_USAGE
    }
    io.stderr.write(`${formatFailure(err)}\n`)
    if (wantsDebug(argv, io) && err instanceof Error && err.stack) {
      io.stderr.write(`${err.stack}\n`)
      if (err.cause instanceof Error && err.cause.stack)
        io.stderr.write(`cause: ${err.cause.stack}\n`)
    }
    return EXIT_FAILURE
  }
}
