import { parentPort } from 'node:worker_threads'

/**
 * Test fixture (verify/pool.test.ts): the real verification thread, slowed to 2 ms per
 * check (a starved machine), so the pool's batch sizing can be watched.
 */
const pause = new Int32Array(new SharedArrayBuffer(4))
parentPort?.on('message', (batch: { checks: unknown[] }) => {
  Atomics.wait(pause, 0, 0, 2 * batch.checks.length)
})
await import(new URL('./worker.ts', import.meta.url).href)
