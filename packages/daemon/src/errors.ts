import { AlaraError } from '@alara/protocol'

/**
 * Every failure the daemon throws, each a class with a stable code. The control API maps
 * codes to HTTP statuses through `httpStatusOf`; the CLI prints `message (code)`.
 * (`ERR_INVALID_INPUT` and `ERR_DECODE` are @alara/protocol's.)
 */

export class RepoError extends AlaraError {}

/** The repo's lock is held by a live daemon, or could not be taken. */
export class RepoLockedError extends RepoError {
  constructor(message: string) {
    super('ERR_REPO_LOCKED', message)
  }
}

export const repoLocked = (home: string, pid: number): RepoLockedError =>
  new RepoLockedError(
    `another ALARA daemon (pid ${pid}) is using ${home}; stop it or choose another --home`,
  )

/** `identity.key` is not an Ed25519 libp2p private key. */
export class BadIdentityError extends RepoError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_BAD_IDENTITY', message, options)
  }
}

/** `store.key` is not a 32-byte key. */
export class BadStoreKeyError extends RepoError {
  constructor(message: string) {
    super('ERR_BAD_STORE_KEY', message)
  }
}

/** `api.token` is missing or too short. */
export class BadTokenError extends RepoError {
  constructor(message: string) {
    super('ERR_BAD_TOKEN', message)
  }
}

export const repoMissing = (home: string): RepoError =>
  new RepoError(
    'ERR_REPO_MISSING',
    `no ALARA repo at ${home} (create one with: alara init --home ${home})`,
  )

/**
 * A configuration value (file, flag) that cannot be used: the daemon's one class for
 * `ERR_BAD_CONFIG` (protocol's `ParamsError` keeps the code for resolveParams).
 */
export class BadConfigError extends AlaraError {
  constructor(message: string) {
    super('ERR_BAD_CONFIG', message)
  }
}

export const badConfig = (file: string, detail: string): BadConfigError =>
  new BadConfigError(`${file}: ${detail}`)

/** `network.key` (or a key file given) is not a network key, or cannot be read. */
export class NetworkKeyError extends AlaraError {
  constructor(message: string) {
    super('ERR_BAD_NETWORK_KEY', message)
  }
}

/**
 * The pre-shared key's nonce exchange failed: the peer hung up on bytes it could not read
 * (p2p/closed-network.ts). Thrown inside libp2p's upgrade, which wraps it: it has no code
 * and is recognised by its `name` (`isHandshakeFailure`), then reported as a key refusal.
 */
export class KeyExchangeFailedError extends Error {
  override name = 'KeyExchangeFailedError'
}

/** A sync cursor this responder did not give (answered `BAD_REQUEST`, sync/answers.ts). */
export class BadCursorError extends AlaraError {
  constructor(message: string) {
    super('ERR_BAD_CURSOR', message)
  }
}

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

/** This node's own quota is used up; `retryAfterMs` says when the next epoch starts. */
export class RateLimitedError extends AlaraError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super('ERR_RATE_LIMITED', message)
  }
}

/** Asked for something the node cannot give yet (an epoch still open, not started). */
export class NotReadyError extends AlaraError {
  constructor(message: string) {
    super('ERR_NOT_READY', message)
  }
}

/** The node is at a bound it keeps (open event streams): come back later. */
export class BusyError extends AlaraError {
  constructor(message: string) {
    super('ERR_BUSY', message)
  }
}

export class DialFailedError extends AlaraError {
  constructor(message: string) {
    super('ERR_DIAL_FAILED', message)
  }
}

/**
 * A dial refused because the two nodes do not share a network key (closed networks):
 * the message says which side holds what (closed-network.ts).
 */
export class NetworkKeyMismatchError extends AlaraError {
  constructor(message: string) {
    super('ERR_NETWORK_KEY_MISMATCH', message)
  }
}

/** Something read back from this node's own store is not what it claims to be. */
export class CorruptStoreError extends AlaraError {
  constructor(message: string) {
    super('ERR_CORRUPT_STORE', message)
  }
}

/** A vote refused by validation (`ERR_VOTE_<REASON>`, e.g. a stored vote read back). */
export class VoteRefusedError extends AlaraError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(`ERR_VOTE_${reason}`, message)
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
  ERR_RATE_LIMITED: 429,
  ERR_NOT_READY: 503,
  ERR_BUSY: 503,
  ERR_DIAL_FAILED: 502,
  ERR_NETWORK_KEY_MISMATCH: 502,
}

export function httpStatusOf(code: string): number {
  return STATUS[code] ?? 500
}

/** Work still queued or in a thread when the verification pool stopped: it was not verified. */
export class VerifyPoolStoppedError extends AlaraError {
  constructor() {
    super('ERR_VERIFY_POOL_STOPPED', 'the verification pool stopped before this check ran')
  }
}

/** The verification queue is full: the check was not queued (the message is shed). */
export class VerifyPoolBusyError extends AlaraError {
  constructor(maxQueued: number) {
    super('ERR_VERIFY_POOL_BUSY', `${maxQueued} signature checks already wait for a thread`)
  }
}
