import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Command } from 'commander'
import type { Context } from '../context.js'
import { Devnet, type DevnetNode } from '../devnet.js'
import { CliError, UsageError } from '../errors.js'
import { table } from '../output.js'
import { watchShutdown } from '../signals.js'
import { intInRange, parseNetwork, parsePositiveInt } from '../validate.js'

export const MAX_DEVNET_NODES = 64

interface DevnetFlags {
  nodes: number
  epochMs?: number
  basePort?: number
  network?: string
  keep?: boolean
  closed?: boolean
}

/** `./scripts/alara` from a checkout, `alara` when installed. */
function cliName(): string {
  const wrapper = fileURLToPath(new URL('../../../../scripts/alara', import.meta.url))
  return existsSync(wrapper) ? './scripts/alara' : 'alara'
}

export function renderDevnet(
  root: string,
  nodes: DevnetNode[],
  keep: boolean,
  cli = cliName(),
  closed = false,
): string {
  const first = nodes[0]
  const grid = table(
    ['NODE', 'PEER ID', 'API', 'HOME'],
    nodes.map((n) => [String(n.index), n.peerId, n.apiUrl, n.home]),
  )
  return [
    `ALARA devnet: ${nodes.length} ${nodes.length === 1 ? 'node' : 'nodes'} on loopback, network ${first?.network ?? '?'}${closed ? ' (closed: one network key in every home)' : ''}`,
    '',
    grid,
    '',
    `try:   ${cli} --home ${first?.home ?? root} pool`,
    `logs:  ${root}/node*.log`,
    keep
      ? `Ctrl-C stops the nodes; their homes stay in ${root}`
      : 'Ctrl-C stops the nodes and removes their homes',
  ].join('\n')
}

export function registerDevnet(program: Command, ctx: Context): void {
  program
    .command('devnet')
    .description('start N daemons on loopback in temporary homes, connected; Ctrl-C stops them')
    .requiredOption(
      '--nodes <n>',
      `how many daemons (1-${MAX_DEVNET_NODES})`,
      intInRange(1, MAX_DEVNET_NODES),
    )
    .option('--epoch-ms <n>', 'epoch length in ms for every node', parsePositiveInt)
    .option(
      '--base-port <p>',
      'node i listens on P+2i and serves its API on P+2i+1 (default: free ports)',
      intInRange(1, 65535),
    )
    .option('--network <name>', 'network name for every node', parseNetwork)
    .option('--keep', 'keep the temporary homes after stopping')
    .option('--closed', 'a closed network: one network key, copied into every home')
    .action(async (flags: DevnetFlags, cmd: Command) => {
      if (flags.basePort !== undefined && flags.basePort + 2 * flags.nodes - 1 > 65535) {
        throw new UsageError(
          cmd,
          `--base-port ${flags.basePort} leaves no room for ${flags.nodes} nodes`,
        )
      }
      const keep = flags.keep === true
      const json = ctx.globals(cmd).json
      const devnet = await Devnet.create({
        nodes: flags.nodes,
        epochMs: flags.epochMs,
        basePort: flags.basePort,
        network: flags.network,
        closed: flags.closed === true,
        env: ctx.io.env,
      })
      const shutdown = watchShutdown(ctx.io, () => {
        ctx.note('alara: second signal: killing the devnet now')
        devnet.kill({ keep })
      })
      try {
        ctx.note(`alara: starting ${flags.nodes} daemons in ${devnet.root}`)
        const launched = devnet.launch()
        const first = await Promise.race([
          launched,
          shutdown.requested.then(() => undefined),
        ]).catch(async (err: unknown) => {
          await devnet.stop({ keep })
          throw err
        })
        if (first === undefined) {
          launched.catch(() => {}) // stopped on purpose; its failure is expected now
          ctx.note('alara: stopping the devnet')
          await devnet.stop({ keep })
          return
        }
        for (const warning of await devnet.connectAll()) ctx.note(`alara: warning: ${warning}`)
        if (json) {
          // one line, so a script reading the running devnet's stdout knows where it ends
          ctx.io.stdout.write(
            `${JSON.stringify({ root: devnet.root, closed: devnet.closed, nodes: devnet.nodes })}\n`,
          )
        } else {
          ctx.io.stdout.write(
            `${renderDevnet(devnet.root, devnet.nodes, keep, cliName(), devnet.closed)}\n`,
          )
        }

        const allDown = new Promise<'down'>((resolve) => {
          devnet.onNodeExit((node, code, signal) => {
            ctx.note(
              `alara: devnet node ${node.index} exited (${signal ?? `code ${code}`}); log: ${node.log}`,
            )
            if (devnet.running === 0) resolve('down')
          })
        })
        const outcome = await Promise.race([shutdown.requested, allDown])
        if (outcome === 'down') {
          // keep the logs: they are the only account of what went wrong
          await devnet.stop({ keep: true })
          throw new CliError('ERR_DEVNET_DOWN', `every devnet node exited; logs in ${devnet.root}`)
        }
        ctx.note('alara: stopping the devnet (Ctrl-C again to kill it)')
        await devnet.stop({ keep })
        ctx.note(
          keep ? `alara: devnet stopped; homes kept in ${devnet.root}` : 'alara: devnet stopped',
        )
      } finally {
        shutdown.dispose()
      }
    })
}
