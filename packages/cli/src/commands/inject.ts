import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import type { InjectRequest, InjectResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { CliError, UsageError } from '../errors.js'
import { plural } from '../output.js'
import { parseBitString, parseHexString, parsePositiveInt } from '../validate.js'

interface InjectOptions {
  bits?: string
  hex?: string
  file?: string
  random?: number
  publish?: boolean
}

const SOURCES = '--bits, --hex, --file or --random'

async function readAll(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks)
}

async function readSource(path: string, ctx: Context): Promise<Uint8Array> {
  if (path === '-') return readAll(ctx.io.stdin)
  try {
    return await readFile(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : (err as Error).message
    throw new CliError('ERR_READ_FAILED', `cannot read ${path}: ${why}`, { cause: err })
  }
}

/** The one API body for the one source given; files travel as hex of their raw bytes. */
export async function injectBody(
  opts: InjectOptions,
  cmd: Command,
  ctx: Context,
): Promise<InjectRequest> {
  const given = (['bits', 'hex', 'file', 'random'] as const).filter((k) => opts[k] !== undefined)
  if (given.length !== 1) {
    throw new UsageError(
      cmd,
      given.length === 0 ? `give one of ${SOURCES}` : `give only one of ${SOURCES}`,
    )
  }
  if (opts.bits !== undefined) return { bits: opts.bits }
  if (opts.hex !== undefined) return { hex: opts.hex }
  if (opts.random !== undefined) return { random: opts.random }
  const path = opts.file as string
  const bytes = await readSource(path, ctx)
  if (bytes.length === 0) {
    throw new CliError(
      'ERR_INVALID_INPUT',
      `${path === '-' ? 'stdin' : path} is empty: nothing to inject`,
    )
  }
  return { hex: Buffer.from(bytes).toString('hex') }
}

/** The daemon caps a request's size; name the file and its size so the fix is obvious. */
function fileTooLarge(err: unknown, path: string, hex: string): unknown {
  if (!(err instanceof CliError) || !/too large/i.test(err.message)) return err
  const name = path === '-' ? 'stdin' : path
  return new CliError(
    err.code,
    `${err.message}: ${name} holds ${hex.length / 2} bytes; inject it in smaller pieces`,
    { status: err.status, cause: err },
  )
}

export function renderInject(r: InjectResponse): string {
  const lines = r.ids.map((id) => `${id}  epoch ${r.epoch}`)
  lines.push(
    `injected ${plural(r.bitLength, 'bit')} in ${plural(r.ids.length, 'contribution')}, published to ${plural(r.publishedTo, 'peer')}`,
  )
  return lines.join('\n')
}

export function registerInject(program: Command, ctx: Context): void {
  program
    .command('inject')
    .description('sign and publish entropy from this node')
    .usage('(--bits 0101… | --hex HEX | --file PATH|- | --random N) [options]')
    .option('--bits <bits>', 'bits as a string of 0 and 1', parseBitString)
    .option('--hex <hex>', 'whole bytes in hex', parseHexString)
    .option('--file <path>', "a file's raw bytes, or - for stdin")
    .option('--random <n>', 'N fresh bits from the OS random source', parsePositiveInt)
    .option('--no-publish', 'keep it local: peers receive it only by sync (repair, catch-up)')
    .action(async (opts: InjectOptions, cmd: Command) => {
      const body: InjectRequest = await injectBody(opts, cmd, ctx)
      // --no-publish: stored and folded here only; peers get it by repair and catch-up
      if (opts.publish === false) body.publish = false
      const client = await ctx.client(cmd)
      const res = await client.post<InjectResponse>('/v1/inject', body).catch((err: unknown) => {
        throw opts.file !== undefined && 'hex' in body
          ? fileTooLarge(err, opts.file, body.hex)
          : err
      })
      ctx.print(cmd, res, renderInject)
    })
}
