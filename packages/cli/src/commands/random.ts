import { type Command, Option } from 'commander'
import type { RandomRequest, RandomResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { UsageError } from '../errors.js'
import type { OutStream } from '../io.js'
import { writeJson } from '../output.js'
import { parseNonNegativeInt, parsePositiveInt } from '../validate.js'

export type RandomFormat = 'hex' | 'base64' | 'raw'

/**
 * Bytes per request: within the API's 1 MiB cap, and a multiple of 3 so that base64
 * pieces join into one valid base64 text (no padding but at the very end).
 */
export const RANDOM_CHUNK_BYTES = 1_048_575
/** `--json` holds the whole draw in one document: one request's worth at most. */
export const RANDOM_JSON_MAX_BYTES = 1_048_576

/** One piece of the output as the user asked for it (the final newline is written apart). */
export function encodeRandom(hex: string, format: RandomFormat): string | Uint8Array {
  const bytes = Buffer.from(hex, 'hex')
  if (format === 'raw') return new Uint8Array(bytes)
  return format === 'hex' ? bytes.toString('hex') : bytes.toString('base64')
}

/** Sizes of the requests for `total` bytes. */
export function* chunkSizes(total: number, chunk = RANDOM_CHUNK_BYTES): Generator<number> {
  for (let left = total; left > 0; left -= chunk) yield Math.min(chunk, left)
}

/**
 * Writes and waits when the stream asks to (back-pressure), so that memory stays at a
 * chunk or two whatever the total. A closed pipe (EPIPE) ends the process quietly in bin.ts.
 */
export async function writeChunk(out: OutStream, chunk: string | Uint8Array): Promise<void> {
  const stream = out as OutStream & {
    once?: (event: string, listener: () => void) => unknown
    off?: (event: string, listener: () => void) => unknown
  }
  if (out.write(chunk) !== false || stream.once === undefined) return
  await new Promise<void>((resolve) => {
    const done = (): void => {
      stream.off?.('drain', done)
      stream.off?.('close', done)
      resolve()
    }
    stream.once?.('drain', done)
    stream.once?.('close', done)
  })
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
    .requiredOption(
      '--bytes <n>',
      `how many bytes, any number (streamed in pieces of ${RANDOM_CHUNK_BYTES})`,
      parsePositiveInt,
    )
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
      if (json && opts.bytes > RANDOM_JSON_MAX_BYTES)
        throw new UsageError(
          cmd,
          `--json holds at most ${RANDOM_JSON_MAX_BYTES} bytes in one document; stream more with --format raw, hex or base64`,
        )
      const client = await ctx.client(cmd)
      let offset = 0
      const draw = (bytes: number): Promise<RandomResponse> => {
        const body: RandomRequest = { bytes }
        if (opts.epoch !== undefined) {
          body.epoch = opts.epoch
          // a shared draw is one stream: each piece reads on where the last one ended
          if (offset > 0) body.offset = offset
        }
        if (opts.allowLowEntropy === true) body.allowLowEntropy = true
        offset += bytes
        return client.post<RandomResponse>('/v1/random', body)
      }
      if (json) {
        writeJson(ctx.io.stdout, await draw(opts.bytes))
        return
      }
      // one request ahead of the writer: the daemon draws while the pipe drains
      let next: Promise<RandomResponse> | undefined
      const sizes = chunkSizes(opts.bytes)
      const ask = (): Promise<RandomResponse> | undefined => {
        const n = sizes.next()
        return n.done === true ? undefined : draw(n.value)
      }
      next = ask()
      while (next !== undefined) {
        const res = await next
        next = ask()
        // a failed request ahead must not go unhandled while this piece is written
        next?.catch(() => undefined)
        await writeChunk(ctx.io.stdout, encodeRandom(res.bytes, opts.format))
      }
      if (opts.format !== 'raw') await writeChunk(ctx.io.stdout, '\n')
    })
}
