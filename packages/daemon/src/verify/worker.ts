import { parentPort } from 'node:worker_threads'
import { checkSignature, type SignatureCheck } from '@alara/protocol'

/**
 * A verification thread of the VerifyPool: verifies each batch it is sent with
 * @alara/protocol's checkSignature and answers one byte per check (1 = valid). Kept to
 * erasable TypeScript and one package import, so Node runs it from src/ (tests) as from
 * dist/.
 */
export interface VerifyBatch {
  id: number
  checks: SignatureCheck[]
}

/** Sent once, when the thread has loaded and takes batches. */
export interface VerifyThreadReady {
  ready: true
}

export interface VerifyAnswer {
  id: number
  results: Uint8Array
  /** how long the batch took in this thread, ms (the pool sizes its batches from it) */
  ms: number
}

const port = parentPort
if (port !== null)
  port.on('message', (batch: VerifyBatch) => {
    const start = performance.now()
    const results = new Uint8Array(batch.checks.length)
    for (let i = 0; i < batch.checks.length; i++)
      results[i] = checkSignature(batch.checks[i] as SignatureCheck) ? 1 : 0
    const answer: VerifyAnswer = { id: batch.id, results, ms: performance.now() - start }
    port.postMessage(answer, [results.buffer])
  })
// last: module loading is most of a thread's start (0.1–1 s), and the pool verifies on the
// calling thread until this arrives rather than keep a burst waiting for it
port?.postMessage({ ready: true } satisfies VerifyThreadReady)
