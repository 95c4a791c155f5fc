import { parentPort, workerData } from 'node:worker_threads'
import { type InspectParams, runThreadJobs } from '@alara/protocol'

/**
 * A verification thread of the VerifyPool: runs each packed batch it is sent with
 * @alara/protocol's runThreadJobs (Ed25519 checks, and received contributions' stateless
 * checks with their signature) and answers one packed record per job. The batch and the
 * answer are transferred, not cloned. Kept to erasable TypeScript and one package import,
 * so Node runs it from src/ (tests) as from dist/.
 */
export interface VerifyBatch {
  id: number
  /** packThreadJobs' buffer (transferred) */
  jobs: ArrayBuffer
}

/** What the pool hands a thread at its start. */
export interface VerifyThreadData {
  /** the network's parameters, for contribution jobs; absent: the pool sends none */
  params?: InspectParams
}

/** Sent once, when the thread has loaded and takes batches. */
export interface VerifyThreadReady {
  ready: true
}

export interface VerifyAnswer {
  id: number
  /** one record per job (runThreadJobs), transferred */
  answers: Uint8Array
  /** how long the batch took in this thread, ms (the pool sizes its batches from it) */
  ms: number
}

/** Never read: contribution jobs come only from a pool that was given the parameters. */
const NO_PARAMS: InspectParams = { network: '', maxMessageBytes: 0, maxBits: 0, epochMs: 1 }

const params = (workerData as VerifyThreadData | null)?.params ?? NO_PARAMS
const port = parentPort
if (port !== null)
  port.on('message', (batch: VerifyBatch) => {
    const start = performance.now()
    const answers = runThreadJobs(batch.jobs, params)
    const answer: VerifyAnswer = { id: batch.id, answers, ms: performance.now() - start }
    port.postMessage(answer, [answers.buffer])
  })
// last: module loading is most of a thread's start (0.1–1 s), and the pool verifies on the
// calling thread until this arrives rather than keep a burst waiting for it
port?.postMessage({ ready: true } satisfies VerifyThreadReady)
