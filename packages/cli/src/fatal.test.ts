import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { FATAL_EXIT_CODE, installFatalHandlers } from './fatal.js'

function harness(stop: () => Promise<void> | undefined, stopTimeoutMs = 1000) {
  const emitter = new EventEmitter()
  const lines: string[] = []
  let resolveExit: (code: number) => void = () => {}
  const exited = new Promise<number>((resolve) => {
    resolveExit = resolve
  })
  const dispose = installFatalHandlers({
    emitter,
    log: (l) => lines.push(l),
    stop,
    exit: (code) => resolveExit(code),
    stopTimeoutMs,
  })
  return { emitter, lines, exited, dispose }
}

describe('installFatalHandlers', () => {
  it('logs an unhandled rejection with its stack, stops the daemon, then exits non-zero', async () => {
    const order: string[] = []
    const h = harness(async () => {
      order.push('stop')
    })
    const err = new Error('slip in a handler')
    h.emitter.emit('unhandledRejection', err, Promise.resolve())
    const code = await h.exited
    order.push('exit')
    expect(code).toBe(FATAL_EXIT_CODE)
    expect(code).not.toBe(0)
    expect(order).toEqual(['stop', 'exit'])
    expect(h.lines[0]).toContain('alara: fatal: unhandled rejection: Error: slip in a handler')
    expect(h.lines[0]).toContain('fatal.test.ts') // the stack, not only the message
    expect(h.lines.at(-1)).toBe(`alara: exiting with code ${FATAL_EXIT_CODE} after a fatal error`)
  })

  it('logs an uncaught exception, and a rejection that is not an Error', async () => {
    const h = harness(() => undefined)
    h.emitter.emit('uncaughtException', new TypeError('x is undefined'))
    expect(await h.exited).toBe(FATAL_EXIT_CODE)
    expect(h.lines[0]).toMatch(/^alara: fatal: uncaught exception: TypeError: x is undefined\n/)

    const g = harness(() => undefined)
    g.emitter.emit('unhandledRejection', { code: 42 })
    await g.exited
    expect(g.lines[0]).toBe('alara: fatal: unhandled rejection: non-error value {"code":42}')
  })

  it('exits after the bound when the stop hangs, and when the stop fails', async () => {
    const started = Date.now()
    const h = harness(() => new Promise<void>(() => {}), 100)
    h.emitter.emit('uncaughtException', new Error('boom'))
    expect(await h.exited).toBe(FATAL_EXIT_CODE)
    expect(Date.now() - started).toBeGreaterThanOrEqual(90)
    expect(h.lines).toContain('alara: fatal: the daemon did not stop within 100 ms')

    const f = harness(() => Promise.reject(new Error('store busy')))
    f.emitter.emit('uncaughtException', new Error('boom'))
    expect(await f.exited).toBe(FATAL_EXIT_CODE)
    expect(f.lines.some((l) => l.startsWith('alara: fatal: stop failed: Error: store busy'))).toBe(
      true,
    )
  })

  it('a second fatal error while stopping is logged, the stop runs once', async () => {
    let stops = 0
    const h = harness(() => {
      stops++
      return new Promise<void>((resolve) => setTimeout(resolve, 20))
    })
    h.emitter.emit('unhandledRejection', new Error('first'))
    h.emitter.emit('uncaughtException', new Error('second'))
    await h.exited
    expect(stops).toBe(1)
    expect(h.lines.filter((l) => l.startsWith('alara: fatal: ')).length).toBe(2)
  })

  it('removes its listeners when disposed', () => {
    const h = harness(() => undefined)
    expect(h.emitter.listenerCount('unhandledRejection')).toBe(1)
    h.dispose()
    expect(h.emitter.listenerCount('unhandledRejection')).toBe(0)
    expect(h.emitter.listenerCount('uncaughtException')).toBe(0)
  })
})
