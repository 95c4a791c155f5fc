import type { Command } from 'commander'
import type { PoolResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { bitBlock, fields, fixed, plural } from '../output.js'
import { parseNonNegativeInt } from '../validate.js'

/** Without --bits a person sees this many bits; --json and --bits N give the exact amount. */
export const HUMAN_POOL_BITS = 256

/** `requested` is --bits: absent, a person sees HUMAN_POOL_BITS with a hint for more. */
export function renderPool(pool: PoolResponse, requested?: number): string {
  const bits = pool.bits.slice(0, requested ?? HUMAN_POOL_BITS)
  const head = fields([
    ['network', pool.network],
    ['pool', `${pool.bitLength} bits`],
    ['folded', plural(pool.folded, 'contribution')],
    ['stored', plural(pool.stored, 'contribution')],
    ['digest', pool.digest],
    ['credit', `${fixed(pool.creditBits, 1)} bits`],
    ['ready', pool.ready ? 'yes' : 'no (private draws need 256 credited bits)'],
  ])
  if (bits.length === 0)
    return `${head}\n\n${pool.bitLength === 0 ? 'the pool is empty' : 'no bits requested'}`
  const total = Math.max(pool.bitLength, pool.bits.length)
  const hint = requested === undefined ? ' (more with --bits N or --json)' : ''
  const title =
    bits.length < total ? `first ${bits.length} of ${total} bits${hint}:` : `all ${total} bits:`
  return [head, '', title, ...bitBlock(bits)].join('\n')
}

export function registerPool(program: Command, ctx: Context): void {
  program
    .command('pool')
    .description('the replica: pool bits, folded and stored counts, digest, credit, ready')
    .option('--bits <n>', 'only the first N pool bits (default: all)', parseNonNegativeInt)
    .action(async (opts: { bits?: number }, cmd: Command) => {
      const client = await ctx.client(cmd)
      const pool = await client.get<PoolResponse>('/v1/pool', { bits: opts.bits })
      ctx.print(cmd, pool, (p) => renderPool(p, opts.bits))
    })
}
