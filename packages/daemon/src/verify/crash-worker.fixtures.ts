import { parentPort } from 'node:worker_threads'
import { threadJob, threadJobCount } from '@alara/protocol'

/**
 * Test fixture (verify/verify-pool.test.ts): a verification thread that dies on a batch holding
 * the poison check (a one-byte message 0xEE) and otherwise is the real worker.
 */
parentPort?.on('message', (batch: { jobs: ArrayBuffer }) => {
  for (let i = 0; i < threadJobCount(batch.jobs); i++) {
    const job = threadJob(batch.jobs, i)
    if (job.kind !== 'signature') continue
    const { message } = job.check
    if (message.length === 1 && message[0] === 0xee) process.exit(7)
  }
})
await import(new URL('./worker.ts', import.meta.url).href)
