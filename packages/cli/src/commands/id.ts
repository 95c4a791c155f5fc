import type { Command } from 'commander'
import type { IdResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { fields } from '../output.js'

export function renderId(id: IdResponse): string {
  return fields([
    ['peer id', id.peerId],
    ['network', id.closed ? `${id.network} (closed: holds a network key)` : id.network],
    ['version', id.version],
    ['reachability', id.reachability ?? 'unknown'],
    ['addresses', id.addresses],
    ...(id.publicApiUrl === undefined
      ? []
      : [['public beacon API', id.publicApiUrl] as [string, string]]),
    ...(id.metricsUrl === undefined
      ? []
      : [['metrics', `${id.metricsUrl}/metrics`] as [string, string]]),
  ])
}

export function registerId(program: Command, ctx: Context): void {
  program
    .command('id')
    .description("this node's peer id, addresses, network and version")
    .action(async (_opts: object, cmd: Command) => {
      const client = await ctx.client(cmd)
      ctx.print(cmd, await client.get<IdResponse>('/v1/id'), renderId)
    })
}
