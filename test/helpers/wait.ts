import { vi } from 'vitest'

/**
 * Polling with a deadline instead of fixed sleeps: the condition is re-checked every
 * `intervalMs` until it holds or `timeoutMs` passes; the failure names what was awaited
 * and what was last seen.
 *
 * One poll loop for the whole suite: vitest's `vi.waitFor`. Unit tests call it directly
 * (in-process state, its short defaults fit, and it advances fake timers when a test
 * uses them); the multi-process tests call it through `waitFor`/`eventually` below,
 * which only add what a test of real daemons needs: a deadline sized for a busy
 * two-core machine, a slower interval (a probe is often a CLI process), and a failure
 * that says what was awaited and what was last seen. No test writes its own loop.
 */

export interface WaitOptions {
  timeoutMs?: number
  intervalMs?: number
  /** what is awaited, for the failure message */
  what?: string
}

/**
 * How long a test waits for a state it expects (a message delivered, a peer connected, a
 * repair done): generous, since on a busy two-core machine seconds pass between the
 * steps of a healthy run; a run that goes well never waits this long.
 */
export const STATE_TIMEOUT_MS = 60_000

const DEFAULT_INTERVAL_MS = 200

function show(value: unknown): string {
  if (value instanceof Error) return value.message
  try {
    const text = JSON.stringify(value)
    return text === undefined ? String(value) : text.slice(0, 2000)
  } catch {
    return String(value)
  }
}

/** the probe's value was seen but not accepted yet */
class NotYet extends Error {}

/**
 * Polls `probe` until `accept` holds for its value, then returns that value. A probe that
 * throws counts as not yet (the last error is reported on timeout).
 */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  opts: WaitOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? STATE_TIMEOUT_MS
  let last: unknown = 'never probed'
  try {
    return await vi.waitFor(
      async () => {
        try {
          last = await probe()
        } catch (err) {
          last = err
          throw err
        }
        if (!accept(last as T)) throw new NotYet()
        return last as T
      },
      { timeout: timeoutMs, interval: opts.intervalMs ?? DEFAULT_INTERVAL_MS },
    )
  } catch {
    throw new Error(
      `timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a condition'}; last seen: ${show(last)}`,
    )
  }
}

/**
 * Retries an assertion block until it passes; on timeout rethrows its last failure, so
 * the report shows the real expect() diff.
 */
export async function eventually<T>(
  check: () => Promise<T> | T,
  opts: WaitOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? STATE_TIMEOUT_MS
  return await vi.waitFor(async () => await check(), {
    timeout: timeoutMs,
    interval: opts.intervalMs ?? DEFAULT_INTERVAL_MS,
    ...(opts.what === undefined
      ? {}
      : { message: `after ${timeoutMs} ms waiting for ${opts.what}` }),
  })
}
