import { spawn } from 'node:child_process'
import type { Command } from 'commander'
import type { Context } from '../context.js'
import { CliError } from '../errors.js'

/**
 * `alara dashboard [--open]`: the URL of the daemon's live page. The token travels in
 * the fragment (`#token=…`), which a browser never sends to a server, so it reaches no
 * log; the page keeps it for the tab and clears the address bar.
 */

export function dashboardUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/ui/#token=${encodeURIComponent(token)}`
}

/** The platform's "open this URL" command. */
function opener(platform: NodeJS.Platform): [string, string[]] {
  if (platform === 'darwin') return ['open', []]
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""']]
  return ['xdg-open', []]
}

function openInBrowser(url: string): Promise<void> {
  const [command, args] = opener(process.platform)
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args, url], { stdio: 'ignore', detached: true })
    child.once('error', (err) =>
      reject(
        new CliError(
          'ERR_OPEN_FAILED',
          `cannot open a browser with ${command} (${err.message}); open the URL above by hand`,
        ),
      ),
    )
    child.once('spawn', () => {
      child.unref()
      resolve()
    })
  })
}

export function registerDashboard(program: Command, ctx: Context): void {
  program
    .command('dashboard')
    .description(
      "the URL of the daemon's live page (token in the fragment); --open opens a browser",
    )
    .option('--open', 'open it in the default browser')
    .action(async (flags: { open?: boolean }, cmd: Command) => {
      const client = await ctx.client(cmd)
      const { token, baseUrl, home } = client.endpoint
      if (token === undefined)
        throw new CliError('ERR_NO_TOKEN', `no API token at ${home}/api.token: the page needs it`)
      const url = dashboardUrl(baseUrl, token)
      ctx.print(cmd, { url }, (v) => v.url)
      if (flags.open === true) await openInBrowser(url)
    })
}
