import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const cliJs = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

/** Every module URL a fresh Node resolves while the built CLI runs `args`. */
async function modulesLoadedBy(args: string[]): Promise<string[]> {
  const script = `
    import { registerHooks } from 'node:module'
    const seen = []
    registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); seen.push(r.url); return r } })
    const { run } = await import(${JSON.stringify(cliJs)})
    const sink = { write: () => true }
    await run(${JSON.stringify(args)}, { stdout: sink, stderr: sink, stdin: process.stdin, env: {} })
    process.stdout.write(JSON.stringify(seen))
  `
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script])
  return JSON.parse(stdout) as string[]
}

describe('a client command loads no libp2p and no daemon', () => {
  it('status (no daemon running) and --version', async () => {
    const home = await mkdtemp(join(tmpdir(), 'alara-lazy-'))
    try {
      for (const args of [['status', '--home', home], ['--version']]) {
        const urls = await modulesLoadedBy(args)
        expect(urls.length, args.join(' ')).toBeGreaterThan(5) // the hook saw the CLI load
        const heavy = urls.filter((u) =>
          /\/(libp2p|@libp2p|@chainsafe|@multiformats|fastify)\/|\/daemon\/dist\/(index|daemon)\.js/.test(
            u,
          ),
        )
        expect(heavy, args.join(' ')).toEqual([])
      }
    } finally {
      await rm(home, { recursive: true, force: true })
    }
  })
})
