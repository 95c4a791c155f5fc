import type { Command } from 'commander'
import type { EpochConsensus, StatusResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { fields, fixed, percent, plural, shortHex } from '../output.js'
import { ALONE_HINT } from './consensus.js'

function consensusLine(c: EpochConsensus | null): string {
  if (c === null) return 'no epoch closed yet'
  const dissent = c.voters.filter((v) => !v.agrees).length
  return [
    `epoch ${c.epoch} ${c.status}`,
    `agreement ${percent(c.agreement)}`,
    plural(c.voters.length, 'voter'),
    dissent > 0 ? `${dissent} dissenting` : undefined,
    plural(c.count, 'contribution'),
    `digest ${shortHex(c.digest)}`,
  ]
    .filter((part) => part !== undefined)
    .join(', ')
}

export function renderStatus(s: StatusResponse): string {
  return fields([
    ['peer id', s.peerId],
    ['network', s.closed ? `${s.network} (closed)` : s.network],
    ['epoch', `${s.epoch} (last final: ${s.lastFinalEpoch ?? 'none yet'})`],
    ['peers', `${s.peers} connected, ${s.members} of them members`],
    ['network type', s.closed ? 'closed (network key)' : 'open'],
    [
      'entropy',
      `${fixed(s.creditBits, 1)} credited bits, ${s.ready ? 'ready' : 'not ready (needs 256)'}`,
    ],
    ['consensus', consensusLine(s.consensus)],
    ...(s.consensus?.status === 'alone' ? [['', ALONE_HINT] as [string, string]] : []),
  ])
}

export function registerStatus(program: Command, ctx: Context): void {
  program
    .command('status')
    .description('one screen: node, peers, current epoch, readiness, latest consensus')
    .action(async (_opts: object, cmd: Command) => {
      const client = await ctx.client(cmd)
      ctx.print(cmd, await client.get<StatusResponse>('/v1/status'), renderStatus)
    })
}
