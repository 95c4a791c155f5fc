import type { Command } from 'commander'
import type { Context } from '../context.js'
import { fields } from '../output.js'
import { parseNetwork, parsePositiveInt } from '../validate.js'

export interface InitResult {
  home: string
  peerId: string
  network: string
  timelockSquarings: number
  created: boolean
  closed: boolean
  networkKeyFile?: string
}

export function renderInit(r: InitResult, requestedNetwork?: string): string {
  const info = fields([
    ['home', r.home],
    ['peer id', r.peerId],
    ['network', r.closed ? `${r.network} (closed: holds a network key)` : r.network],
    ['timelockSquarings', String(r.timelockSquarings)],
  ])
  const key =
    r.networkKeyFile === undefined
      ? ''
      : `\nnetwork key: ${r.networkKeyFile} (closed network: only holders of this key connect; copy the file to each member's repo)`
  if (r.created) return `initialised a new ALARA repo\n${info}${key}`
  const ignored =
    requestedNetwork !== undefined && requestedNetwork !== r.network
      ? `\n--network ${requestedNetwork} ignored: the repo exists (alara init --force recreates it)`
      : ''
  return `an ALARA repo already exists here; kept it (--force makes a new identity and token)\n${info}${ignored}${key}`
}

interface InitFlags {
  network?: string
  force?: boolean
  newNetworkKey?: boolean
  networkKey?: string
  timelockSquarings?: number
}

export function registerInit(program: Command, ctx: Context): void {
  program
    .command('init')
    .description('create the repo: identity key, API token, config')
    .option('--network <name>', 'network name (default: default)', parseNetwork)
    .option(
      '--new-network-key',
      'make a closed network: write a new network.key to copy to members',
    )
    .option(
      '--network-key <file>',
      "join a closed network: import its key file (a member's network.key)",
    )
    .option(
      '--timelock-squarings <n>',
      "T of the shared beacon's time-lock, equal on every node of the network (default 2^24); h = g^(2^T) is computed here once, with progress",
      parsePositiveInt,
    )
    .option('--force', 'replace an existing identity and token (and network key)')
    .action(async (opts: InitFlags, cmd: Command) => {
      // loaded on demand: the daemon pulls in libp2p, which other commands never need
      const { initRepo } = await import('@alara/daemon')
      const result = await initRepo(ctx.home(cmd), {
        network: opts.network,
        force: opts.force,
        newNetworkKey: opts.newNetworkKey,
        networkKeyFile: opts.networkKey,
        timelockSquarings: opts.timelockSquarings,
      })
      // h for this T, computed once now (progress on stderr) rather than at the first start
      const { loadTimelockGenerator } = await import('@alara/daemon')
      await loadTimelockGenerator(result.home, result.timelockSquarings, (m) =>
        ctx.io.stderr.write(`${m}\n`),
      )
      ctx.print(cmd, result, (r) => renderInit(r, opts.network))
    })
}
