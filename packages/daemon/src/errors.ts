import { AlaraError } from '@alara/protocol'

/**
 * The daemon's failures, each with a stable code. The control API maps them to HTTP
 * statuses through `httpStatusOf`; the CLI prints `message (code)`.
 */

export class RepoError extends AlaraError {}

export const repoLocked = (home: string, pid: number): RepoError =>
  new RepoError(
    'ERR_REPO_LOCKED',
    `another ALARA daemon (pid ${pid}) is using ${home}; stop it or choose another --home`,
  )

export const repoMissing = (home: string): RepoError =>
  new RepoError(
    'ERR_REPO_MISSING',
    `no ALARA repo at ${home} (create one with: alara init --home ${home})`,
  )

export const badConfig = (file: string, detail: string): RepoError =>
  new RepoError('ERR_BAD_CONFIG', `${file}: ${detail}`)

export class NotFoundError extends AlaraError {
  constructor(message: string) {
    super('ERR_NOT_FOUND', message)
  }
}

export class BadRequestError extends AlaraError {
  constructor(message: string) {
    super('ERR_BAD_REQUEST', message)
  }
}

export class RateLimitedError extends AlaraError {
  constructor(message: string) {
    super('ERR_RATE_LIMITED', message)
  }
}

export class PortInUseError extends AlaraError {
  constructor(what: string, address: string, hint: string) {
    super('ERR_ADDRESS_IN_USE', `${what} address ${address} is already in use; ${hint}`)
  }
}

const STATUS: Record<string, number> = {
  ERR_BAD_REQUEST: 400,
  ERR_INVALID_INPUT: 400,
  ERR_DECODE: 400,
  ERR_UNAUTHORIZED: 401,
  ERR_NOT_FOUND: 404,
  ERR_RATE_LIMITED: 409,
  ERR_EPOCH_FINAL: 409,
  ERR_NOT_READY: 503,
  ERR_NO_PEERS: 503,
  ERR_DIAL_FAILED: 502,
}

export function httpStatusOf(code: string): number {
  return STATUS[code] ?? 500
}
