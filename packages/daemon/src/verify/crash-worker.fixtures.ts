import { parentPort } from 'node:worker_threads'

/**
 * Test fixture (verify/verify-pool.test.ts): a verification thread that dies on a batch holding
 * the poison check (a one-byte message 0xEE) and otherwise is the real worker.
 */
parentPort?.on('message', (batch: { checks: { message: Uint8Array }[] }) => {
  if (batch.checks.some((c) => c.message.length === 1 && c.message[0] === 0xee)) process.exit(7)
})
await import(new URL('./worker.ts', import.meta.url).href)
