import type { Command } from 'commander'
import type { ConsensusResponse, EpochConsensus, IdResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { percent, shortHex, shortPeerId, table } from '../output.js'
import { intInRange } from '../validate.js'

export const MARK = { agrees: '✓', dissents: '✗', uncounted: '○', none: '·' } as const

/** A, B, … Z, AA, AB, … */
export function peerLabel(index: number): string {
  let label = ''
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    label = String.fromCharCode(65 + ((n - 1) % 26)) + label
  }
  return label
}

/** This node first, then peers in order of first appearance. */
function voterOrder(epochs: EpochConsensus[], selfId?: string): string[] {
  const seen = new Set<string>()
  const voted = new Set(epochs.flatMap((e) => e.voters.map((v) => v.peerId)))
  if (selfId !== undefined && voted.has(selfId)) seen.add(selfId)
  for (const e of epochs) for (const v of e.voters) seen.add(v.peerId)
  return [...seen]
}

/**
 * One row per epoch (oldest first, newest next to the prompt) and one mark column per
 * voter, then a legend mapping the column letters to peers.
 */
export function renderConsensus(epochs: EpochConsensus[], selfId?: string): string {
  if (epochs.length === 0) return 'no closed epochs yet'
  const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch)
  const peers = voterOrder(sorted, selfId)
  const labels = peers.map((_, i) => peerLabel(i))
  const rows = sorted.map((e) => {
    const byPeer = new Map(e.voters.map((v) => [v.peerId, v]))
    const marks = peers.map((p) => {
      const v = byPeer.get(p)
      if (v === undefined) return MARK.none
      // trust 0 or inactive here: the vote is shown but takes no part in the agreement
      if (!v.counted) return MARK.uncounted
      return v.agrees ? MARK.agrees : MARK.dissents
    })
    return [
      String(e.epoch),
      e.catchingUp === true ? `${e.status}, catching up` : e.status,
      e.status === 'pending' ? '-' : percent(e.agreement),
      String(e.count),
      e.count === 0 && e.digest === '' ? '-' : shortHex(e.digest),
      e.shared?.status ?? '-',
      ...marks,
    ]
  })
  const grid = table(
    [
      'EPOCH',
      'STATUS',
      { header: 'AGREEMENT', align: 'right' },
      { header: 'COUNT', align: 'right' },
      'DIGEST',
      'BEACON',
      ...labels,
    ],
    rows,
  )
  const strangers = new Set(
    sorted.flatMap((e) => e.voters.filter((v) => v.member === false).map((v) => v.peerId)),
  )
  const legend = peers.map((p, i) => {
    const self = p === selfId ? '  (this node)' : strangers.has(p) ? '  (stranger)' : ''
    return `  ${labels[i]}  ${shortPeerId(p)}${self}`
  })
  const uncounted = sorted.some((e) => e.voters.some((v) => !v.counted))
    ? `  ${MARK.uncounted} not counted (not a member, trust 0 or inactive)`
    : ''
  const key = `${MARK.agrees} agrees  ${MARK.dissents} dissents  ${MARK.none} no vote${uncounted}`
  const hint = sorted.some((e) => e.status === 'alone') ? ['', ALONE_HINT] : []
  const blame = reported(sorted, (p) => {
    const i = peers.indexOf(p)
    return i < 0 ? shortPeerId(p) : (labels[i] as string)
  })
  if (peers.length === 0)
    return [`${grid}\n\nno votes received yet`, ...blame].join('\n') + hint.join('\n')
  return [grid, '', 'voters:', ...legend, '', key, ...blame, ...hint].join('\n')
}

/**
 * Lines naming, per epoch, the members that withheld their reveal and the origins that
 * signed two commits (the signed evidence: `alara beacon EPOCH --json`, `evidence`).
 */
function reported(epochs: EpochConsensus[], name: (peerId: string) => string): string[] {
  const lines: string[] = []
  for (const e of epochs) {
    const parts: string[] = []
    if ((e.shared?.withheld.length ?? 0) > 0)
      parts.push(`withheld: ${e.shared?.withheld.map(name).join(', ')}`)
    if ((e.shared?.equivocating.length ?? 0) > 0)
      parts.push(`equivocating: ${e.shared?.equivocating.map(name).join(', ')}`)
    if (parts.length > 0) lines.push(`  ${e.epoch}  ${parts.join('  ')}`)
  }
  if (lines.length === 0) return []
  return ['', 'shared beacon (signed evidence: alara beacon EPOCH --json):', ...lines]
}

/** What `alone` means and how to leave it (docs/PROTOCOL.md, "Membership"). */
export const ALONE_HINT =
  'alone: no member but this node voted; add members with `alara trust set PEER LEVEL`, or share a network key (`alara init --network-key FILE`)'

export function registerConsensus(program: Command, ctx: Context): void {
  program
    .command('consensus')
    .description('the last K closed epochs: status, agreement, digest, count and each voter')
    .option('--epochs <k>', 'how many epochs', intInRange(1, 10_000), 10)
    .action(async (opts: { epochs: number }, cmd: Command) => {
      const client = await ctx.client(cmd)
      // people want to know which column is this node; scripts do not need the extra call
      const [res, id] = await Promise.all([
        client.get<ConsensusResponse>('/v1/consensus', { epochs: opts.epochs }),
        ctx.globals(cmd).json ? undefined : client.get<IdResponse>('/v1/id'),
      ])
      ctx.print(cmd, res, (r) => renderConsensus(r.epochs, id?.peerId))
    })
}
