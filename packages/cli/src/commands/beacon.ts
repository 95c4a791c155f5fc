import type { SourcedBeacon } from '@alara/client'
import type { Command } from 'commander'
import type { BeaconResponse, StatusResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { CliError, UsageError } from '../errors.js'
import { fields, plural } from '../output.js'
import { parseEpochRef, parseHttpUrl, parseTime, repeatable } from '../validate.js'

/** What `alara beacon` prints; `source` only when it came from another node's public API. */
export type BeaconView = Omit<BeaconResponse, 'final'> & { final?: boolean; source?: string }

const STATUS_SAYS: Record<BeaconView['status'], string> = {
  pending: '(pending: reveals or a recovery still to come)',
  none: '(none: no member committed)',
  revealed: '',
  recovered: '',
}

export function renderBeacon(b: BeaconView): string {
  const pairs: Array<[string, string | string[]]> = [
    ['epoch', String(b.epoch)],
    ['beacon', b.beacon ?? STATUS_SAYS[b.status]],
    ['status', b.status],
  ]
  if (b.commitsDigest !== undefined) pairs.push(['commitsDigest', b.commitsDigest])
  pairs.push(['commits', b.commits.length > 0 ? b.commits : '(none)'])
  if (b.withheld.length > 0) pairs.push(['withheld', b.withheld])
  if (b.equivocating.length > 0) pairs.push(['equivocating', b.equivocating])
  pairs.push(
    ['poolBeacon', b.poolBeacon ?? '(none: no contributions)'],
    ['digest', b.digest],
    ['count', plural(b.count, 'contribution')],
  )
  if (b.contributions.length > 0) pairs.push(['contributions', b.contributions])
  if (b.source !== undefined) pairs.push(['source', b.source])
  if (b.verified !== undefined) {
    const how =
      b.source !== undefined
        ? 'true (every signature, D_r, the reveals or the recovery, Ω and the pool beacon recomputed here)'
        : 'yes: both beacons recomputed from the stored signed messages'
    pairs.push(['verified', b.verified ? how : 'NO'])
  }
  return fields(pairs)
}

interface BeaconOptions {
  verify?: boolean
  at?: number
  from?: string[]
}

export function registerBeacon(program: Command, ctx: Context): void {
  program
    .command('beacon')
    .description("an epoch's beacon, the shared per-epoch random value")
    .argument('[epoch]', 'an epoch number or "latest"', parseEpochRef)
    .option(
      '--at <time>',
      'the final epoch covering this moment (ISO 8601 or unix ms) instead of an epoch',
      parseTime,
    )
    .option(
      '--from <url>',
      "another node's public beacon API, verified here without trusting it (repeatable: fallbacks)",
      repeatable(parseHttpUrl),
    )
    .option(
      '--verify',
      'recompute both beacons from the signed commits, reveals, recovery and contributions (always so with --from)',
    )
    .action(async (epoch: number | 'latest' | undefined, opts: BeaconOptions, cmd: Command) => {
      if (epoch !== undefined && opts.at !== undefined)
        throw new UsageError(cmd, 'give an epoch or --at TIME, not both')
      const res =
        opts.from !== undefined
          ? await fromPublic(opts.from, epoch ?? 'latest', opts.at)
          : await fromLocal(ctx, cmd, epoch ?? 'latest', opts)
      ctx.print(cmd, res, renderBeacon)
      // a failed verification is a failure for scripts too, after the document is printed
      if (opts.verify === true && res.verified !== true) {
        throw new CliError(
          'ERR_BEACON_MISMATCH',
          `epoch ${res.epoch}: ${res.beacon !== undefined ? 'the shared beacon Ω or ' : ''}the pool beacon does not match what its stored signed commits, reveals, recovery and contributions give`,
        )
      }
    })
}

async function fromLocal(
  ctx: Context,
  cmd: Command,
  epoch: number | 'latest',
  opts: BeaconOptions,
): Promise<BeaconView> {
  const client = await ctx.client(cmd)
  let r = epoch
  if (opts.at !== undefined) {
    const { epochMs } = await client.get<StatusResponse>('/v1/status')
    r = Math.floor(opts.at / epochMs)
  }
  const res = await client.get<BeaconResponse>(`/v1/beacon/${r}`, {
    verify: opts.verify === true ? true : undefined,
  })
  if (opts.at !== undefined && !res.final)
    throw new CliError(
      'ERR_NOT_FINAL',
      `epoch ${res.epoch}, which covers ${new Date(opts.at).toISOString()}, is not final yet`,
    )
  return res
}

/** Through @alara/client: a beacon comes back only once verified, or the command fails. */
async function fromPublic(
  urls: string[],
  epoch: number | 'latest',
  at: number | undefined,
): Promise<BeaconView> {
  const { createClient } = await import('@alara/client')
  const client = createClient({ urls })
  const b: SourcedBeacon =
    at !== undefined
      ? await client.at(at)
      : epoch === 'latest'
        ? await client.latest()
        : await client.get(epoch)
  return {
    epoch: b.epoch,
    ...(b.beacon === undefined ? {} : { beacon: b.beacon }),
    status: b.status,
    ...(b.commitsDigest === undefined ? {} : { commitsDigest: b.commitsDigest }),
    commits: b.commits,
    withheld: b.withheld,
    equivocating: b.equivocating,
    ...(b.poolBeacon === undefined ? {} : { poolBeacon: b.poolBeacon }),
    digest: b.digest,
    count: b.count,
    contributions: b.ids,
    final: true,
    verified: true,
    source: b.source,
  }
}
