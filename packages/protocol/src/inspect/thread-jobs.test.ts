import { describe, expect, it } from 'vitest'
import { contributionSigningBytes } from '../signing.js'
import { encoded, origin, params, signed } from '../validate.fixtures.js'
import {
  ANSWER_BYTES,
  checkContributionHere,
  contributionAnswer,
  packThreadJobs,
  runThreadJobs,
  signatureAnswer,
  type ThreadJob,
} from './thread-jobs.js'

describe('thread jobs: one packed buffer each way', () => {
  it('answers a mixed batch as the same checks made in place would', async () => {
    const c = await signed()
    const message = contributionSigningBytes(c)
    const forged = c.signature.slice()
    forged[3] = (forged[3] as number) ^ 1
    const good = await encoded({ seq: 7 })
    const jobs: ThreadJob[] = [
      { kind: 'signature', check: { origin, message, signature: c.signature } },
      { kind: 'signature', check: { origin, message, signature: forged } },
      { kind: 'contribution', bytes: good, verify: true },
      { kind: 'contribution', bytes: good, verify: false },
      { kind: 'contribution', bytes: Uint8Array.of(0xff, 0xff), verify: true },
    ]
    const answers = runThreadJobs(packThreadJobs(jobs), params)
    expect(answers.length).toBe(jobs.length * ANSWER_BYTES)
    expect([signatureAnswer(answers, 0), signatureAnswer(answers, 1)]).toEqual([true, false])
    const here = checkContributionHere(good, params, true)
    const there = contributionAnswer(answers, 2, good)
    expect(there.signature).toBe(true)
    expect(there.inspection).toMatchObject({
      verdict: 'inspected',
      contribution: {
        idHex: (here.inspection as { contribution: { idHex: string } }).contribution.idHex,
      },
    })
    // not asked: inspected, the signature left unchecked
    expect(contributionAnswer(answers, 3, good).signature).toBeUndefined()
    expect(contributionAnswer(answers, 4, Uint8Array.of(0xff, 0xff)).inspection).toMatchObject({
      verdict: 'reject',
      reason: 'DECODE',
    })
  })

  it('packs an empty batch', () => {
    expect(runThreadJobs(packThreadJobs([]), params).length).toBe(0)
  })
})
