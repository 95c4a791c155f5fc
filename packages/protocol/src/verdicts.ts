import type { KeyObject } from 'node:crypto'
import { DecodeError, NonCanonicalError } from './errors.js'
import { BadOriginError, originKey } from './signing.js'

/**
 * What every validator (validate.ts, validate-v2.ts) builds its verdicts from: a table of
 * reason codes and the verdict each always carries, refusals typed by it, and the two
 * refusals every decoder leads to.
 */

export type VerdictTable = Record<string, 'reject' | 'ignore'>

/** One refusal per reason code, with the verdict that code always carries. */
export type Refusal<T extends VerdictTable> = {
  [R in keyof T & string]: { verdict: T[R]; reason: R; message: string }
}[keyof T & string]

export function refuser<T extends VerdictTable>(table: T) {
  return <R extends keyof T & string>(reason: R, message: string): Refusal<T> =>
    ({ verdict: table[reason], reason, message }) as Refusal<T>
}

/** The origin's key, or the reason it has none (no exception on the hot path's result). */
export function keyOf(origin: Uint8Array, originHex: string): KeyObject | string {
  try {
    return originKey(origin, originHex)
  } catch (err) {
    if (err instanceof BadOriginError) return err.message
    throw err
  }
}

/**
 * The decoded message, or the reason it is refused: NON_CANONICAL for a second encoding,
 * DECODE for anything else that is not the message. Other errors are bugs: thrown.
 */
export function decodeOr<M>(
  decode: (bytes: Uint8Array) => M,
  bytes: Uint8Array,
): { value: M } | { reason: 'NON_CANONICAL' | 'DECODE'; message: string } {
  try {
    return { value: decode(bytes) }
  } catch (err) {
    if (err instanceof NonCanonicalError) return { reason: 'NON_CANONICAL', message: err.message }
    if (err instanceof DecodeError) return { reason: 'DECODE', message: err.message }
    throw err
  }
}

/** decodeOr, after refusing bytes over the size limit (`maxMessageBytes`) undecoded. */
export function decodeWithin<M>(
  decode: (bytes: Uint8Array) => M,
  bytes: Uint8Array,
  maxMessageBytes: number,
): { value: M } | { reason: 'TOO_LARGE' | 'NON_CANONICAL' | 'DECODE'; message: string } {
  if (bytes.length > maxMessageBytes)
    return {
      reason: 'TOO_LARGE',
      message: `${bytes.length} bytes, above maxMessageBytes ${maxMessageBytes}`,
    }
  return decodeOr(decode, bytes)
}
