import type { Command } from 'commander'
import { EventSourceParserStream } from 'eventsource-parser/stream'
import type { Context } from '../context.js'
import { CliError } from '../errors.js'
import { watchShutdown } from '../signals.js'
import { renderWatchLine, type WatchEvent } from './watch-render.js'

/**
 * `alara watch`: the daemon's event stream (GET /v1/events) as it happens, one line per
 * event, until Ctrl-C. When the daemon goes away the stream ends, and so does watch, with
 * one line saying so and exit 1 (a supervisor or the user restarts it).
 */

interface WatchFlags {
  types?: string
}

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
    .action(async (flags: WatchFlags, cmd: Command) => {
      const { json } = ctx.globals(cmd)
      const client = await ctx.client(cmd)
      const stop = new AbortController()
      const shutdown = watchShutdown(ctx.io)
      void shutdown.requested.then(() => stop.abort())
      try {
        const body = await client.stream('/v1/events', { types: flags.types }, stop.signal)
        if (!json) ctx.note(`alara: watching ${client.endpoint.baseUrl} (Ctrl-C to stop)`)
        const events = body
          .pipeThrough(new TextDecoderStream())
          .pipeThrough(new EventSourceParserStream())
        for await (const message of events) {
          const detail = JSON.parse(message.data) as Record<string, unknown>
          const event: WatchEvent = {
            type: message.event ?? 'message',
            ...detail,
            timeMs: Date.now(),
          }
          ctx.io.stdout.write(`${json ? JSON.stringify(event) : renderWatchLine(event)}\n`)
        }
      } catch (err) {
        if (stop.signal.aborted) return
        throw new CliError(
          'ERR_STREAM_LOST',
          `lost the event stream of the daemon at ${client.endpoint.baseUrl} (${(err as Error).message})`,
          { cause: err },
        )
      } finally {
        shutdown.dispose()
      }
      if (stop.signal.aborted) return
      throw new CliError(
        'ERR_DAEMON_GONE',
        `the daemon at ${client.endpoint.baseUrl} ended the event stream (it stopped or restarted)`,
      )
    })
}
