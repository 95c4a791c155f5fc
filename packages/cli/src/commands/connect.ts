import type { Command } from 'commander'
import type { ConnectResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { parseMultiaddr } from '../validate.js'

export function registerConnect(program: Command, ctx: Context): void {
  program
    .command('connect')
    .description('dial a peer by multiaddr')
    .argument('<multiaddr>', 'e.g. /ip4/192.0.2.7/tcp/4590/p2p/12D3KooW…', parseMultiaddr)
    .action(async (multiaddr: string, _opts: object, cmd: Command) => {
      const client = await ctx.client(cmd)
      const res = await client.post<ConnectResponse>('/v1/connect', { multiaddr })
      ctx.print(cmd, res, (r) => `connected to ${r.peerId}`)
    })
}
