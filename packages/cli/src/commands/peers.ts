import type { Command } from 'commander'
import type { PeerInfo, PeersResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { ago, fixed, table, yesNo } from '../output.js'

/** "agreed/voted" over the closed epochs a peer voted on, e.g. 12/12. */
export function votesCell(p: Pick<PeerInfo, 'epochsVoted' | 'epochsAgreed'>): string {
  return p.epochsVoted === 0 ? '-' : `${p.epochsAgreed}/${p.epochsVoted}`
}

/** "direct since 3m ago", "relayed since 12s ago", or "-" when not connected. */
export function connectionCell(
  p: Pick<PeerInfo, 'connection' | 'connectionSinceMs'>,
  nowMs = Date.now(),
): string {
  if (p.connection === null || p.connection === undefined) return '-'
  return `${p.connection} since ${ago(p.connectionSinceMs, nowMs)}`
}

export function renderPeers(peers: PeerInfo[], nowMs = Date.now()): string {
  if (peers.length === 0) return 'no known peers (connect one with: alara connect MULTIADDR)'
  const rows = peers.map((p) => [
    p.peerId,
    yesNo(p.connected),
    connectionCell(p, nowMs),
    fixed(p.trust, 2),
    yesNo(p.active),
    String(p.contributions),
    ago(p.lastSeenMs, nowMs),
    votesCell(p),
    p.lastVoteEpoch === null ? '-' : String(p.lastVoteEpoch),
  ])
  return table(
    [
      'PEER',
      'CONNECTED',
      'CONNECTION',
      { header: 'TRUST', align: 'right' },
      'ACTIVE',
      { header: 'CONTRIBUTIONS', align: 'right' },
      'LAST SEEN',
      { header: 'AGREED/VOTED', align: 'right' },
      'LAST VOTE',
    ],
    rows,
  )
}

export function registerPeers(program: Command, ctx: Context): void {
  program
    .command('peers')
    .description(
      'known peers: connected (directly or through a relay, since when), trust, active, contributions, last seen',
    )
    .action(async (_opts: object, cmd: Command) => {
      const client = await ctx.client(cmd)
      const { peers } = await client.get<PeersResponse>('/v1/peers')
      // --json prints the array itself (CLI.md)
      ctx.print(cmd, peers, (p) => renderPeers(p))
    })
}
