import type { Command } from 'commander'
import type { QualityResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { ago, fields, fixed, table } from '../output.js'
import { votesCell } from './peers.js'

export function renderQuality(q: QualityResponse, nowMs = Date.now()): string {
  const head = fields([
    ['pool bits', String(q.poolBits)],
    ['shannon', `${fixed(q.shannonPerBit, 4)} bits per bit`],
    ['min-entropy', `${fixed(q.minEntropyPerBit, 4)} bits per bit (MCV estimate)`],
    ['credit', `${fixed(q.creditBits, 1)} bits`],
  ])
  if (q.origins.length === 0) return `${head}\n\nno contributions folded yet`
  const origins = table(
    [
      'ORIGIN',
      { header: 'TRUST', align: 'right' },
      { header: 'CONTRIBUTIONS', align: 'right' },
      { header: 'BITS', align: 'right' },
      { header: 'HEALTH FAILURES', align: 'right' },
      'LAST SEEN',
      { header: 'AGREED/VOTED', align: 'right' },
    ],
    q.origins.map((o) => [
      o.peerId,
      fixed(o.trust, 2),
      String(o.contributions),
      String(o.bits),
      String(o.healthFailures),
      ago(o.lastSeenMs, nowMs),
      votesCell(o),
    ]),
  )
  return `${head}\n\n${origins}`
}

export function registerQuality(program: Command, ctx: Context): void {
  program
    .command('quality')
    .description('Shannon and min-entropy per bit of the pool, per-origin figures')
    .action(async (_opts: object, cmd: Command) => {
      const client = await ctx.client(cmd)
      ctx.print(cmd, await client.get<QualityResponse>('/v1/quality'), (q) => renderQuality(q))
    })
}
