import type { Command } from 'commander'
import type { Context } from '../context.js'
import { fields } from '../output.js'
import { parseNetwork } from '../validate.js'

export interface InitResult {
  home: string
  peerId: string
  network: string
  created: boolean
}

export function renderInit(r: InitResult, requestedNetwork?: string): string {
  const info = fields([
    ['home', r.home],
    ['peer id', r.peerId],
    ['network', r.network],
  ])
  if (r.created) return `initialised a new ALARA repo\n${info}`
  const ignored =
    requestedNetwork !== undefined && requestedNetwork !== r.network
      ? `\n--network ${requestedNetwork} ignored: the repo exists (alara init --force recreates it)`
      : ''
  return `an ALARA repo already exists here; kept it (--force makes a new identity and token)\n${info}${ignored}`
}

export function registerInit(program: Command, ctx: Context): void {
  program
    .command('init')
    .description('create the repo: identity key, API token, config')
    .option('--network <name>', 'network name (default: default)', parseNetwork)
    .option('--force', 'replace an existing identity and token')
    .action(async (opts: { network?: string; force?: boolean }, cmd: Command) => {
      // loaded on demand: the daemon pulls in libp2p, which other commands never need
      const { initRepo } = await import('@alara/daemon')
      const result = await initRepo(ctx.home(cmd), { network: opts.network, force: opts.force })
      ctx.print(cmd, result, (r) => renderInit(r, opts.network))
    })
}
