import { isNetworkName, splitHostPort } from '@alara/daemon/shared'
import { InvalidArgumentError } from 'commander'
import { multiaddrPeerId, multiaddrProblem } from './multiaddr.js'

/**
 * Flag and argument parsers. Each throws commander's InvalidArgumentError, which the CLI
 * reports as wrong usage (exit 2) before anything is sent or started.
 */

const MAX_SAFE = Number.MAX_SAFE_INTEGER

function integer(value: string): number {
  if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError('expected a whole number')
  const n = Number(value)
  if (n > MAX_SAFE) throw new InvalidArgumentError('number is too large')
  return n
}

export function parsePositiveInt(value: string): number {
  const n = integer(value)
  if (n < 1) throw new InvalidArgumentError('expected a positive whole number')
  return n
}

export function parseNonNegativeInt(value: string): number {
  return integer(value)
}

export function intInRange(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = integer(value)
    if (n < min || n > max)
      throw new InvalidArgumentError(`expected a whole number in [${min}, ${max}]`)
    return n
  }
}

/** A trust level: a decimal number in [0, 1]. */
export function parseTrustLevel(value: string): number {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value))
    throw new InvalidArgumentError('expected a number in [0, 1]')
  const n = Number(value)
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('trust must be in [0, 1]')
  return n
}

/** `latest` or an epoch number. */
export function parseEpochRef(value: string): number | 'latest' {
  if (value === 'latest') return value
  try {
    return integer(value)
  } catch {
    throw new InvalidArgumentError('expected an epoch number or "latest"')
  }
}

/** Network names are part of topic strings; same rule as the daemon's config. */
export function parseNetwork(value: string): string {
  if (!isNetworkName(value)) {
    throw new InvalidArgumentError('expected 1-64 characters of A-Z a-z 0-9 . _ -')
  }
  return value
}

export function parseMultiaddr(value: string): string {
  const problem = multiaddrProblem(value)
  if (problem !== undefined) throw new InvalidArgumentError(problem)
  return value
}

/** Bootstrap peers are dialled by id, so the address must name one. */
export function parseBootstrapAddr(value: string): string {
  parseMultiaddr(value)
  if (multiaddrPeerId(value) === undefined) {
    throw new InvalidArgumentError('a bootstrap address must end in /p2p/<peer id>')
  }
  return value
}

/** HOST:PORT as the daemon binds its API (port 0 picks a free one; IPv6 in brackets). */
export function parseHostPort(value: string): string {
  if (splitHostPort(value) === undefined)
    throw new InvalidArgumentError(
      'expected HOST:PORT with a port 0..65535, e.g. 127.0.0.1:5890 or [::1]:5890',
    )
  return value
}

/** Collects a repeatable flag's values. */
export function repeatable<T>(parse: (value: string) => T): (value: string, previous?: T[]) => T[] {
  return (value, previous) => [...(previous ?? []), parse(value)]
}

export function parseBitString(value: string): string {
  if (value === '') throw new InvalidArgumentError('expected at least one bit')
  if (!/^[01]+$/.test(value)) throw new InvalidArgumentError('expected only 0 and 1')
  return value
}

/** Hex of whole bytes; an optional 0x prefix is dropped; sent lowercase. */
export function parseHexString(value: string): string {
  const hex = value.replace(/^0x/i, '')
  if (hex === '') throw new InvalidArgumentError('expected at least one byte of hex')
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new InvalidArgumentError('expected only hex digits')
  if (hex.length % 2 !== 0) throw new InvalidArgumentError('expected an even number of hex digits')
  return hex.toLowerCase()
}

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/

/** A moment: unix milliseconds, or an ISO 8601 date or date-time (UTC unless it says). */
export function parseTime(value: string): number {
  if (/^[0-9]+$/.test(value)) return integer(value)
  const ms = ISO_8601.test(value) ? Date.parse(value) : Number.NaN
  if (!Number.isFinite(ms) || ms < 0)
    throw new InvalidArgumentError(
      'expected unix milliseconds or an ISO 8601 time such as 2026-01-31T12:00:00Z',
    )
  return ms
}

/** An http(s) base URL, trailing slashes dropped. */
export function parseHttpUrl(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InvalidArgumentError('expected an http(s) URL such as http://node.example:5891')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError('expected an http(s) URL such as http://node.example:5891')
  return value.replace(/\/+$/, '')
}
