import { writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { describeRun, lines, runCli } from './helpers/cli.js'
import { Harness } from './helpers/harness.js'
import { readRepoFile } from './helpers/home.js'
import { idOf, pool } from './helpers/node-state.js'

/**
 * A daemon killed with SIGKILL leaves its `api` file; a local user who binds that port
 * afterwards must not receive the repo's token. Here that user is a plain HTTP server
 * that records every Authorization header and even answers the health check with the
 * daemon's real peer id and a pid it was told; the CLI refuses and names the cause.
 */

const h = new Harness('stale-api')
const servers: Server[] = []
afterAll(async () => {
  for (const s of servers) s.close()
  await h.cleanup()
})

interface Impostor {
  authorizations: Array<string | undefined>
  requests: string[]
}

async function impostorOn(port: number, peerId: string, pid: number): Promise<Impostor> {
  const seen: Impostor = { authorizations: [], requests: [] }
  const server = createServer((req, res) => {
    seen.authorizations.push(req.headers.authorization)
    seen.requests.push(`${req.method} ${req.url}`)
    // it knows what anyone can learn (peer id, pid), not the token: no valid proof
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ok: true, peerId, pid, proof: '00'.repeat(32) }))
  })
  servers.push(server)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  return seen
}

describe('a stale api file', () => {
  it('the CLI sends no token to whatever listens there, and the next start removes the file', async () => {
    const home = await h.home('stale-api')
    const first = await h.start({ home })
    const peerId = first.peerId
    const port = Number(new URL(first.apiUrl).port)
    await first.kill9()
    expect((await readRepoFile(home, 'api'))?.trim()).toBe(first.apiUrl)

    const impostor = await impostorOn(port, peerId, first.pid as number)
    const expected = `no ALARA daemon is running at ${home} (stale api file ${join(home, 'api')}`
    const hint = `start one with: alara daemon --home ${home}`

    // the lock names a dead pid: refused before any request
    const dead = await runCli(home, ['pool'])
    expect(dead.code, describeRun(dead)).toBe(1)
    expect(lines(dead.stderr)).toHaveLength(1)
    expect(dead.stderr).toContain(expected)
    expect(dead.stderr).toContain(`the daemon with pid ${first.pid} is not running`)
    expect(dead.stderr).toContain(hint)
    expect(impostor.requests).toEqual([])

    // the lock names a live pid (pid reuse): the impostor is asked, cannot prove the token
    await writeFile(join(home, 'repo.lock'), `${process.pid}\n`)
    const reused = await runCli(home, ['pool'])
    expect(reused.code, describeRun(reused)).toBe(1)
    expect(lines(reused.stderr)).toHaveLength(1)
    expect(reused.stderr).toContain(expected)
    expect(reused.stderr).toContain(hint)
    expect(impostor.requests.length).toBeGreaterThan(0)
    expect(impostor.requests.every((r) => r.startsWith('GET /v1/healthz?challenge='))).toBe(true)
    expect(impostor.authorizations.every((a) => a === undefined)).toBe(true)

    // --api pointing at it: the same check, the token is not sent either
    const explicit = await runCli(home, ['pool', '--api', `127.0.0.1:${port}`])
    expect(explicit.code, describeRun(explicit)).toBe(1)
    expect(explicit.stderr).toContain(`is not the ALARA daemon of ${home}`)
    expect(impostor.authorizations.every((a) => a === undefined)).toBe(true)

    // a dead pid in the lock again, then the next start takes over and says so
    await writeFile(join(home, 'repo.lock'), `${first.pid}\n`)
    const second = await h.start({ home })
    expect(second.stderr).toContain(`removed the stale api file ${join(home, 'api')}`)
    expect(second.stderr).toContain(`took over the stale lock of pid ${first.pid} (not running)`)
    expect(second.peerId).toBe(peerId)
    expect((await idOf(home)).peerId).toBe(peerId)
    expect((await pool(home)).stored).toBeGreaterThanOrEqual(0)
    expect(impostor.authorizations.every((a) => a === undefined)).toBe(true)
  })
})
