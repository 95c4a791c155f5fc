import type { Command } from 'commander'
import type { EventSourceMessage } from 'eventsource-parser'
import type { EventSourceParserStream } from 'eventsource-parser/stream'
import type { Context } from '../context.js'
import { CliError } from '../errors.js'
import { watchShutdown } from '../signals.js'
import type { WatchEvent } from './watch-render.js'

/**
 * `alara watch`: the daemon's event stream (GET /v1/events) as it happens, one line per
 * event, until Ctrl-C. When the daemon goes away the stream ends, and so does watch, with
 * one line saying so and exit 1; with --reconnect it waits for the daemon to be back.
 */

interface WatchFlags {
  types?: string
  reconnect?: boolean
}

const RECONNECT_MS = 1000

export function registerWatch(program: Command, ctx: Context): void {
  program
    .command('watch')
    .description(
      'live: epochs closing (status, agreement), votes, contributions folded, peers joining and leaving, until Ctrl-C',
    )
    .option(
      '--types <list>',
      'only these event types, comma-separated (e.g. epoch:closed,consensus:changed; default: all)',
    )
    .option('--reconnect', 'when the daemon goes away, wait for it and go on (default: exit 1)')
    .action(async (flags: WatchFlags, cmd: Command) => {
      const { json } = ctx.globals(cmd)
      // loaded here, not at the CLI's start-up: only watch needs them
      const [{ renderWatchLine }, { EventSourceParserStream }] = await Promise.all([
        import('./watch-render.js'),
        import('eventsource-parser/stream'),
      ])
      const stop = new AbortController()
      const shutdown = watchShutdown(ctx.io)
      void shutdown.requested.then(() => stop.abort())
      const write = (message: EventSourceMessage): void => {
        const detail = JSON.parse(message.data) as Record<string, unknown>
        const event: WatchEvent = {
          type: message.event ?? 'message',
          ...detail,
          timeMs: Date.now(),
        }
        ctx.io.stdout.write(`${json ? JSON.stringify(event) : renderWatchLine(event)}\n`)
      }
      try {
        let first = true
        for (;;) {
          let lost: CliError
          let ended = false
          try {
            lost = await follow(ctx, cmd, flags.types, stop.signal, write, EventSourceParserStream)
            ended = true
          } catch (err) {
            // the first connection must work (a wrong home or token is not worth waiting on)
            if (first || !(err instanceof CliError) || !RETRYABLE.has(err.code)) throw err
            lost = err
          }
          first = false
          if (stop.signal.aborted) return
          if (flags.reconnect !== true) throw lost
          // said once per loss, not on every attempt while the daemon is down
          if (ended) ctx.note(`alara: ${lost.message}; waiting for the daemon (Ctrl-C to stop)`)
          await sleep(RECONNECT_MS, stop.signal)
          if (stop.signal.aborted) return
        }
      } finally {
        shutdown.dispose()
      }
    })
}

/** Failures that a daemon (re)starting ends. */
const RETRYABLE = new Set([
  'ERR_NO_DAEMON',
  'ERR_UNREACHABLE',
  'ERR_TIMEOUT',
  'ERR_STREAM_LOST',
  'ERR_DAEMON_GONE',
])

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/**
 * One connection: finds the daemon (again: a restarted one has a new port), streams its
 * events into `write` and returns why the stream ended (or nothing to do when aborted).
 */
async function follow(
  ctx: Context,
  cmd: Command,
  types: string | undefined,
  signal: AbortSignal,
  write: (message: EventSourceMessage) => void,
  Parser: typeof EventSourceParserStream,
): Promise<CliError> {
  const client = await ctx.client(cmd)
  const body = await client.stream('/v1/events', { types }, signal)
  ctx.note(`alara: watching ${client.endpoint.baseUrl} (Ctrl-C to stop)`)
  try {
    const events = body.pipeThrough(new TextDecoderStream()).pipeThrough(new Parser())
    for await (const message of events) write(message)
  } catch (err) {
    return new CliError(
      'ERR_STREAM_LOST',
      `lost the event stream of the daemon at ${client.endpoint.baseUrl} (${(err as Error).message})`,
      { cause: err },
    )
  }
  return new CliError(
    'ERR_DAEMON_GONE',
    `the daemon at ${client.endpoint.baseUrl} ended the event stream (it stopped or restarted)`,
  )
}
