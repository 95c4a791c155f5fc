/**
 * Polling with a deadline instead of fixed sleeps: the condition is re-checked every
 * `intervalMs` until it holds or `timeoutMs` passes; the failure names what was awaited
 * and what was last seen.
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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function show(value: unknown): string {
  if (value instanceof Error) return value.message
  try {
    const text = JSON.stringify(value)
    return text === undefined ? String(value) : text.slice(0, 2000)
  } catch {
    return String(value)
  }
}

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
  const intervalMs = opts.intervalMs ?? 200
  const deadline = Date.now() + timeoutMs
  let last: unknown = 'never probed'
  for (;;) {
    try {
      const value = await probe()
      last = value
      if (accept(value)) return value
    } catch (err) {
      last = err
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a condition'}; last seen: ${show(last)}`,
      )
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())))
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
  const intervalMs = opts.intervalMs ?? 200
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await check()
    } catch (err) {
      if (Date.now() >= deadline) {
        if (err instanceof Error && opts.what !== undefined)
          err.message = `after ${timeoutMs} ms waiting for ${opts.what}: ${err.message}`
        throw err
      }
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())))
  }
}
