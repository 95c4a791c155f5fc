import { type Command, Option } from 'commander'
import type { RandomRequest, RandomResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { UsageError } from '../errors.js'
import { writeJson } from '../output.js'
import { intInRange, parseNonNegativeInt } from '../validate.js'

export type RandomFormat = 'hex' | 'base64' | 'raw'

/** The bytes as the user asked for them; hex and base64 end with a newline, raw does not. */
export function encodeRandom(hex: string, format: RandomFormat): string | Uint8Array {
  const bytes = Buffer.from(hex, 'hex')
  if (format === 'raw') return new Uint8Array(bytes)
  return `${format === 'hex' ? bytes.toString('hex') : bytes.toString('base64')}\n`
}

interface RandomOptions {
  bytes: number
  epoch?: number
  format: RandomFormat
  allowLowEntropy?: boolean
}

export function registerRandom(program: Command, ctx: Context): void {
  program
    .command('random')
    .description('a private draw, or with --epoch a shared draw from beacon(R)')
    .requiredOption('--bytes <n>', 'how many bytes (1-65536)', intInRange(1, 65_536))
    .option(
      '--epoch <r>',
      'a shared draw, identical on every peer agreeing on epoch R',
      parseNonNegativeInt,
    )
    .addOption(
      new Option('--format <format>', 'output encoding')
        .choices(['hex', 'base64', 'raw'])
        .default('hex'),
    )
    .option('--allow-low-entropy', 'draw even before the node is ready (256 credited bits)')
    .action(async (opts: RandomOptions, cmd: Command) => {
      const json = ctx.globals(cmd).json
      if (json && opts.format === 'raw')
        throw new UsageError(cmd, '--format raw cannot be combined with --json')
      const client = await ctx.client(cmd)
      const body: RandomRequest = { bytes: opts.bytes }
      if (opts.epoch !== undefined) body.epoch = opts.epoch
      if (opts.allowLowEntropy === true) body.allowLowEntropy = true
      const res = await client.post<RandomResponse>('/v1/random', body)
      if (json) writeJson(ctx.io.stdout, res)
      else ctx.io.stdout.write(encodeRandom(res.bytes, opts.format))
    })
}
