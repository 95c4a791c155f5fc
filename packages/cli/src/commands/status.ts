import type { Command } from 'commander'
import type { EpochConsensus, StatusResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { ago, fields, fixed, percent, plural, shortHex } from '../output.js'
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

/** "private (since 2m ago), relayed at …" and the relay's load when serving as one. */
function internetFields(s: StatusResponse, nowMs: number): Array<[string, string | string[]]> {
  const out: Array<[string, string | string[]]> = [
    ['reachability', `${s.reachability} (since ${ago(s.reachabilitySinceMs, nowMs)})`],
  ]
  if (s.relayedAddresses?.length > 0) out.push(['relayed at', s.relayedAddresses])
  if (s.relay !== null && s.relay !== undefined)
    out.push([
      'relay',
      `serving: ${s.relay.reservations} of ${s.relay.maxReservations} reservations held`,
    ])
  return out
}

export function renderStatus(s: StatusResponse, nowMs = Date.now()): string {
  return fields([
    ['peer id', s.peerId],
    ['network', s.closed ? `${s.network} (closed)` : s.network],
    ['epoch', `${s.epoch} (last final: ${s.lastFinalEpoch ?? 'none yet'})`],
    [
      'peers',
      `${s.peers} connected (${s.peersDirect ?? s.peers} direct, ${s.peersRelayed ?? 0} relayed), ${s.members} of them members`,
    ],
    ...internetFields(s, nowMs),
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
      ctx.print(cmd, await client.get<StatusResponse>('/v1/status'), (s) => renderStatus(s))
    })
}
