import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

/**
 * packaging/alara.service is checked by systemd's own parser. `systemd-analyze verify`
 * exits 0 on many mistakes (an unknown signal name, a misspelt key) and only warns on
 * stderr, so a clean unit is one with exit 0 and nothing on stderr. It also checks that
 * ExecStart is executable: the installed path is swapped for the checkout's wrapper.
 */

const UNIT = resolve(import.meta.dirname, '..', 'packaging', 'alara.service')
const WRAPPER = resolve(import.meta.dirname, '..', 'scripts', 'alara')
const ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p))
const run = promisify(execFile)

async function verify(text: string): Promise<{ code: number; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'alara-unit-'))
  try {
    const file = join(dir, 'alara.service')
    await writeFile(file, text)
    try {
      const { stderr } = await run(ANALYZE as string, ['verify', file], { timeout: 30_000 })
      return { code: 0, stderr: stderr.trim() }
    } catch (err) {
      const e = err as { code?: number; stderr?: string }
      return { code: typeof e.code === 'number' ? e.code : 1, stderr: (e.stderr ?? '').trim() }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}

// Without systemd-analyze (not a systemd host) there is nothing to check the unit with.
describe.skipIf(ANALYZE === undefined)('systemd unit', () => {
  it('packaging/alara.service passes systemd-analyze verify without a warning', async () => {
    const unit = await readFile(UNIT, 'utf8')
    for (const line of [
      'Restart=on-failure',
      'KillSignal=SIGINT',
      'User=alara',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/alara',
      'Environment=ALARA_HOME=/var/lib/alara',
    ])
      expect(unit.split('\n')).toContain(line)
    const result = await verify(unit.replaceAll('/usr/local/bin/alara', WRAPPER))
    expect(result).toEqual({ code: 0, stderr: '' })
  })

  it('the check catches a broken unit', async () => {
    const unit = (await readFile(UNIT, 'utf8')).replaceAll('/usr/local/bin/alara', WRAPPER)
    const bad = await verify(unit.replace('KillSignal=SIGINT', 'KillSignal=SIGNOPE'))
    expect(bad.stderr).toMatch(/SIGNOPE/)
  })
})
