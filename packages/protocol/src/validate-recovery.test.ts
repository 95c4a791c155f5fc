import { describe, expect, it, vi } from 'vitest'
import { i2osp } from './beacon/bytes.js'
import { ELEMENT_BYTES, N } from './beacon/group.js'
import { sha256, toHex } from './signing.js'
import { epoch, nowMs, params, recovery, recoveryBytes } from './v2.fixtures.js'
import {
  RECOVERY_VERDICTS,
  type RecoveryValidationContext,
  type RecoveryValidationResult,
  validateRecovery,
} from './validate-v2.js'
import { encodeRecovery } from './wire/codec-v2.js'

/** Every recovery reason code a test produced, checked against the table at the end. */
const covered = new Set<string>()

function expectRefusal(r: RecoveryValidationResult, verdict: 'reject' | 'ignore', reason: string) {
  expect(r).toMatchObject({ verdict, reason })
  if (r.verdict !== 'accept') {
    expect(r.message.length).toBeGreaterThan(0)
    covered.add(r.reason)
  }
}

const context = (patch: Partial<RecoveryValidationContext> = {}): RecoveryValidationContext => ({
  params,
  nowMs,
  ...patch,
})
const [a, b] = recovery().withheld as [Uint8Array, Uint8Array]

describe('validateRecovery', () => {
  it('accepts a well-formed recovery, decoded, with its message id as its id', () => {
    const m = recovery()
    const bytes = encodeRecovery(m)
    const result = validateRecovery(bytes, context())
    expect(result).toMatchObject({
      verdict: 'accept',
      recovery: {
        network: m.network,
        epoch: m.epoch,
        commitsDigest: m.commitsDigest,
        withheld: m.withheld,
        idHex: toHex(sha256(bytes)),
      },
    })
    if (result.verdict !== 'accept') return
    expect(i2osp(result.recovery.y, ELEMENT_BYTES)).toEqual(m.y)
    expect(i2osp(result.recovery.proof, ELEMENT_BYTES)).toEqual(m.proof)
    // one withheld member is enough
    expect(validateRecovery(recoveryBytes({ withheld: [b] }), context()).verdict).toBe('accept')
  })

  it('TOO_LARGE, DECODE and NON_CANONICAL', () => {
    const bytes = recoveryBytes()
    const small = context({ params: { ...params, maxMessageBytes: bytes.length - 1 } })
    expectRefusal(validateRecovery(bytes, small), 'reject', 'TOO_LARGE')
    expectRefusal(validateRecovery(new Uint8Array([0x22, 0x40, 1]), context()), 'reject', 'DECODE')
    // no network
    const nameless = bytes.subarray(2 + params.network.length)
    expectRefusal(validateRecovery(nameless, context()), 'reject', 'DECODE')
    const padded = new Uint8Array([...bytes, 0x38, 0x00])
    expectRefusal(validateRecovery(padded, context()), 'reject', 'NON_CANONICAL')
  })

  it('WRONG_NETWORK', () => {
    const bytes = recoveryBytes({ network: 'othernet' })
    expectRefusal(validateRecovery(bytes, context()), 'reject', 'WRONG_NETWORK')
  })

  it('COMMITS_DIGEST_LENGTH: not 32 bytes', () => {
    for (const commitsDigest of [new Uint8Array(0), new Uint8Array(31), new Uint8Array(33)])
      expectRefusal(
        validateRecovery(recoveryBytes({ commitsDigest }), context()),
        'reject',
        'COMMITS_DIGEST_LENGTH',
      )
  })

  it('WITHHELD_EMPTY and WITHHELD_ORDER: none, an empty origin, unsorted, repeated', () => {
    for (const withheld of [[], [new Uint8Array(0)], [new Uint8Array(0), a]])
      expectRefusal(
        validateRecovery(recoveryBytes({ withheld }), context()),
        'reject',
        'WITHHELD_EMPTY',
      )
    // a prefix sorts first: the shorter one ahead
    const prefix = a.subarray(0, 10)
    expect(validateRecovery(recoveryBytes({ withheld: [prefix, a] }), context()).verdict).toBe(
      'accept',
    )
    for (const withheld of [
      [b, a],
      [a, a],
      [a, prefix],
      [a, b, prefix],
    ])
      expectRefusal(
        validateRecovery(recoveryBytes({ withheld }), context()),
        'reject',
        'WITHHELD_ORDER',
      )
  })

  it('BAD_ELEMENT: y or proof not an element', () => {
    const high = i2osp((N - 1n) / 2n + 1n, ELEMENT_BYTES)
    for (const bad of [new Uint8Array(0), new Uint8Array(255), i2osp(0n, 256), high]) {
      expectRefusal(validateRecovery(recoveryBytes({ y: bad }), context()), 'reject', 'BAD_ELEMENT')
      expectRefusal(
        validateRecovery(recoveryBytes({ proof: bad }), context()),
        'reject',
        'BAD_ELEMENT',
      )
    }
  })

  it('EPOCH_TOO_FAR_AHEAD: for an epoch that has not ended here', () => {
    const bytes = recoveryBytes({ epoch })
    expectRefusal(validateRecovery(bytes, context()), 'ignore', 'EPOCH_TOO_FAR_AHEAD')
  })

  it('DUPLICATE: seen, or the epoch needs no recovery any more', () => {
    const bytes = recoveryBytes()
    const seen = vi.fn(() => true)
    expectRefusal(validateRecovery(bytes, context({ seen })), 'ignore', 'DUPLICATE')
    expect(seen).toHaveBeenCalledWith(toHex(sha256(bytes)), epoch - 1)
  })
})

// Last in the file (tests of a file run in order).
describe('recovery reason codes', () => {
  it('every recovery reason code was produced by a test above', () => {
    expect([...covered].sort()).toEqual(Object.keys(RECOVERY_VERDICTS).sort())
  })
})
