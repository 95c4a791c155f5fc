import type { Command } from 'commander'
import type { BeaconResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { CliError } from '../errors.js'
import { fields, plural } from '../output.js'
import { parseEpochRef } from '../validate.js'

export function renderBeacon(b: BeaconResponse): string {
  const pairs: Array<[string, string | string[]]> = [
    ['epoch', String(b.epoch)],
    ['beacon', b.count === 0 || b.beacon === '' ? '(none: no contributions)' : b.beacon],
    ['digest', b.digest],
    ['count', plural(b.count, 'contribution')],
  ]
  if (b.contributions.length > 0) pairs.push(['contributions', b.contributions])
  if (b.verified !== undefined) {
    pairs.push([
      'verified',
      b.verified ? 'yes: recomputed from the stored signed contributions' : 'NO',
    ])
  }
  return fields(pairs)
}

export function registerBeacon(program: Command, ctx: Context): void {
  program
    .command('beacon')
    .description("an epoch's beacon, the shared per-epoch random value")
    .argument('[epoch]', 'an epoch number or "latest"', parseEpochRef, 'latest')
    .option('--verify', 'recompute it from the stored signed contributions')
    .action(async (epoch: number | 'latest', opts: { verify?: boolean }, cmd: Command) => {
      const client = await ctx.client(cmd)
      const res = await client.get<BeaconResponse>(`/v1/beacon/${epoch}`, {
        verify: opts.verify === true ? true : undefined,
      })
      ctx.print(cmd, res, renderBeacon)
      // a failed verification is a failure for scripts too, after the document is printed
      if (opts.verify === true && res.verified !== true) {
        throw new CliError(
          'ERR_BEACON_MISMATCH',
          `the beacon of epoch ${res.epoch} does not match its stored contributions`,
        )
      }
    })
}
