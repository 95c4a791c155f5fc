import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type HealthAnswer, healthProof } from '@alara/daemon/health'
import { CliError } from './errors.js'
import { type HttpFetch, httpFetch } from './http-fetch.js'
import { ed25519PeerIdOf } from './identity-peer-id.js'

/**
 * Before the CLI sends the repo's bearer token anywhere, it makes sure that the process
 * answering is the repo's daemon, not whoever bound the port named by a stale `api` file
 * after a crash. Without the token: the pid in HOME/repo.lock must be alive, and
 * `GET /v1/healthz?challenge=…` must answer with that pid, HOME's peer id, and an HMAC
 * of the challenge under the token (which only a holder of the token can make).
 * With --api the pid is not compared (the daemon may run elsewhere); the rest is.
 */

export interface CheckTarget {
  home: string
  baseUrl: string
  token: string
  explicit: boolean
}

export function staleApi(home: string, detail: string): CliError {
  return new CliError(
    'ERR_NO_DAEMON',
    `no ALARA daemon is running at ${home} (stale api file ${join(home, 'api')}: ${detail}); start one with: alara daemon --home ${home}`,
  )
}

function notOurDaemon(target: CheckTarget, detail: string): CliError {
  if (!target.explicit) return staleApi(target.home, detail)
  return new CliError(
    'ERR_NO_DAEMON',
    `the API at ${target.baseUrl} is not the ALARA daemon of ${target.home} (${detail}); the token was not sent`,
  )
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function lockPid(home: string): Promise<number | undefined> {
  const text = await readFile(join(home, 'repo.lock'), 'utf8').catch(() => undefined)
  const pid = text === undefined ? Number.NaN : Number.parseInt(text, 10)
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

/** HOME's peer id from identity.key, or undefined when it cannot be read. */
async function repoPeerId(home: string): Promise<string | undefined> {
  const bytes = await readFile(join(home, 'identity.key')).catch(() => undefined)
  if (bytes === undefined) return undefined
  // Ed25519 (every ALARA identity) without loading libp2p; anything else through it
  const fast = ed25519PeerIdOf(bytes)
  if (fast !== undefined) return fast
  const [{ privateKeyFromProtobuf }, { peerIdFromPrivateKey }] = await Promise.all([
    import('@libp2p/crypto/keys'),
    import('@libp2p/peer-id'),
  ])
  try {
    return peerIdFromPrivateKey(privateKeyFromProtobuf(bytes)).toString()
  } catch {
    return undefined
  }
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

const HEALTH_TIMEOUT_MS = 60_000

/** Resolves when the endpoint is the repo's daemon; otherwise a CliError, token unsent. */
export async function checkDaemon(
  target: CheckTarget,
  opts: { fetch?: HttpFetch; timeoutMs?: number } = {},
): Promise<void> {
  let expectedPid: number | undefined
  if (!target.explicit) {
    expectedPid = await lockPid(target.home)
    if (expectedPid === undefined) throw staleApi(target.home, 'no repo.lock')
    if (!pidAlive(expectedPid))
      throw staleApi(target.home, `the daemon with pid ${expectedPid} is not running`)
  }
  const challenge = randomBytes(32).toString('hex')
  let answer: Partial<HealthAnswer>
  try {
    const response = await (opts.fetch ?? httpFetch)(
      `${target.baseUrl}/v1/healthz?challenge=${challenge}`,
      {
        headers: { accept: 'application/json' },
        // as patient as any other request: a live daemon on a busy machine may be slow
        signal: AbortSignal.timeout(opts.timeoutMs ?? HEALTH_TIMEOUT_MS),
      },
    )
    answer = response.ok ? ((await response.json()) as Partial<HealthAnswer>) : {}
  } catch (err) {
    const name = (err as { name?: unknown }).name
    if (name === 'TimeoutError' || name === 'AbortError')
      throw new CliError(
        'ERR_TIMEOUT',
        `the API at ${target.baseUrl} did not answer the health check; the token was not sent`,
        { cause: err },
      )
    if (err instanceof SyntaxError) answer = {}
    else throw notOurDaemon(target, `nothing answers at ${target.baseUrl}`)
  }
  if (typeof answer !== 'object' || answer === null) answer = {}
  const { pid, peerId, proof } = answer
  if (typeof pid !== 'number' || typeof proof !== 'string' || typeof peerId !== 'string')
    throw notOurDaemon(target, `${target.baseUrl} does not answer as an ALARA daemon`)
  if (expectedPid !== undefined && pid !== expectedPid)
    throw notOurDaemon(
      target,
      `${target.baseUrl} answers as pid ${pid}, the lock names ${expectedPid}`,
    )
  const expectedPeer = await repoPeerId(target.home)
  if (expectedPeer !== undefined && peerId !== expectedPeer)
    throw notOurDaemon(target, `${target.baseUrl} answers as peer ${peerId}, not ${expectedPeer}`)
  if (!sameHex(proof, healthProof(target.token, challenge, peerId, pid)))
    throw notOurDaemon(target, `${target.baseUrl} cannot prove it holds the repo's token`)
}
