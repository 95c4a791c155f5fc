import type { Command } from 'commander'
import type { TrustEntry, TrustListResponse, TrustRemoveResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { fixed, table, yesNo } from '../output.js'
import { parseTrustLevel } from '../validate.js'

export function renderTrustList(entries: TrustEntry[]): string {
  if (entries.length === 0)
    return 'the trust store is empty: no member but this node, unless the network is closed'
  return table(
    ['PEER', { header: 'TRUST', align: 'right' }, 'ACTIVE', 'SOURCE'],
    entries.map((e) => [e.peerId, fixed(e.trust, 2), yesNo(e.active), e.source]),
  )
}

function renderTrustSet(e: TrustEntry): string {
  const state = e.trust === 0 ? 'blocked' : e.active ? 'active' : 'inactive'
  return `trust of ${e.peerId} set to ${fixed(e.trust, 2)} (${state})`
}

function renderTrustRemove(r: TrustRemoveResponse): string {
  return r.removed
    ? `${r.peerId} removed from the trust store (back to the default trust)`
    : `${r.peerId} was not in the trust store`
}

const peerPath = (peerId: string): string => `/v1/trust/${encodeURIComponent(peerId)}`

export function registerTrust(program: Command, ctx: Context): void {
  const trust = program.command('trust').description('the local trust store')

  trust
    .command('set')
    .description('set the trust of a peer: 0 blocks it, 1 trusts it fully')
    .argument('<peer>', 'peer id (12D3KooW…)')
    .argument('<level>', 'a number in [0, 1]', parseTrustLevel)
    .option('--inactive', 'keep the level but stop folding this peer')
    .action(async (peerId: string, level: number, opts: { inactive?: boolean }, cmd: Command) => {
      const client = await ctx.client(cmd)
      const res = await client.put<TrustEntry>(peerPath(peerId), {
        trust: level,
        active: opts.inactive !== true,
      })
      ctx.print(cmd, res, renderTrustSet)
    })

  trust
    .command('rm')
    .description('remove a peer from the trust store (back to the default trust)')
    .argument('<peer>', 'peer id')
    .action(async (peerId: string, _opts: object, cmd: Command) => {
      const client = await ctx.client(cmd)
      ctx.print(cmd, await client.delete<TrustRemoveResponse>(peerPath(peerId)), renderTrustRemove)
    })

  trust
    .command('ls')
    .description('list the trust store')
    .action(async (_opts: object, cmd: Command) => {
      const client = await ctx.client(cmd)
      const { trust: entries } = await client.get<TrustListResponse>('/v1/trust')
      // --json prints the array itself (CLI.md)
      ctx.print(cmd, entries, renderTrustList)
    })
}
