import { parentPort } from 'node:worker_threads'
import { runThreadJobs, threadJobCount } from '@alara/protocol'
import type { VerifyAnswer, VerifyBatch, VerifyThreadReady } from './worker.ts'

/**
 * Test fixture (verify/verify-pool.test.ts): a verification thread that answers like worker.ts
 * but takes 2 ms more per job (a starved machine), so the pool's batch sizing can be
 * watched. Signature jobs only: it has no network parameters.
 */
const pause = new Int32Array(new SharedArrayBuffer(4))
const port = parentPort
port?.on('message', (batch: VerifyBatch) => {
  const start = performance.now()
  Atomics.wait(pause, 0, 0, 2 * threadJobCount(batch.jobs))
  const params = { network: '', maxMessageBytes: 0, maxBits: 0, epochMs: 1 }
  const answers = runThreadJobs(batch.jobs, params)
  const answer: VerifyAnswer = { id: batch.id, answers, ms: performance.now() - start }
  port.postMessage(answer, [answers.buffer])
})
port?.postMessage({ ready: true } satisfies VerifyThreadReady)
