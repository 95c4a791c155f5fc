import { AlaraError } from '@alara/protocol/wire'

/** An answer that does not prove itself: it is refused, whoever sent it. */
export class VerifyError extends AlaraError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_VERIFY', message, options)
    this.name = 'VerifyError'
  }
}

/** A source answered with an error status, or not in time, or not with JSON. */
export class SourceError extends AlaraError {
  /** the HTTP status, when there was an answer */
  readonly status: number | undefined

  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(status === 404 ? 'ERR_NOT_FOUND' : 'ERR_SOURCE', message, options)
    this.name = 'SourceError'
    this.status = status
  }
}

export interface SourceFailure {
  url: string
  /** the error's code: ERR_VERIFY, ERR_NOT_FOUND, ERR_SOURCE, ERR_TIMEOUT… */
  code: string
  message: string
}

/**
 * Every source failed. When they all said 404 the code is ERR_NOT_FOUND (the epoch is not
 * final, or empty, or not held anywhere asked); otherwise ERR_ALL_SOURCES_FAILED.
 */
export class AllSourcesFailedError extends AlaraError {
  readonly failures: SourceFailure[]

  constructor(what: string, failures: SourceFailure[]) {
    const allNotFound = failures.length > 0 && failures.every((f) => f.code === 'ERR_NOT_FOUND')
    super(
      allNotFound ? 'ERR_NOT_FOUND' : 'ERR_ALL_SOURCES_FAILED',
      `${what}: ${failures.map((f) => `${f.url}: ${f.code}: ${f.message}`).join('; ') || 'no source given'}`,
    )
    this.name = 'AllSourcesFailedError'
    this.failures = failures
  }
}
