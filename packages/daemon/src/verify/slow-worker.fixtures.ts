import { parentPort } from 'node:worker_threads'
import { checkSignature, type SignatureCheck } from '@alara/protocol'
import type { VerifyAnswer, VerifyBatch, VerifyThreadReady } from './worker.ts'

/**
 * Test fixture (verify/verify-pool.test.ts): a verification thread that answers like worker.ts
 * but takes 2 ms more per check (a starved machine), so the pool's batch sizing can be
 * watched.
 */
const pause = new Int32Array(new SharedArrayBuffer(4))
const port = parentPort
port?.on('message', (batch: VerifyBatch) => {
  const start = performance.now()
  Atomics.wait(pause, 0, 0, 2 * batch.checks.length)
  const results = Uint8Array.from(batch.checks, (c: SignatureCheck) => (checkSignature(c) ? 1 : 0))
  const answer: VerifyAnswer = { id: batch.id, results, ms: performance.now() - start }
  port.postMessage(answer, [results.buffer])
})
port?.postMessage({ ready: true } satisfies VerifyThreadReady)
