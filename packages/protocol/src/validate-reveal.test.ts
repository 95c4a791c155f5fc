import { describe, expect, it, vi } from 'vitest'
import { toHex } from './signing.js'
import { revealId } from './signing-v2.js'
import {
  epoch,
  member,
  nowMs,
  originHex,
  params,
  revealBytes,
  signedReveal,
  unsignedReveal,
} from './v2.fixtures.js'
import {
  REVEAL_VERDICTS,
  type RevealValidationContext,
  type RevealValidationResult,
  validateReveal,
} from './validate-v2.js'
import { encodeReveal } from './wire/codec-v2.js'
import * as wire from './wire/wire.js'

/** Every reveal reason code a test produced, checked against the table at the end. */
const covered = new Set<string>()

function expectRefusal(r: RevealValidationResult, verdict: 'reject' | 'ignore', reason: string) {
  expect(r).toMatchObject({ verdict, reason })
  if (r.verdict !== 'accept') {
    expect(r.message.length).toBeGreaterThan(0)
    covered.add(r.reason)
  }
}

const context = (patch: Partial<RevealValidationContext> = {}): RevealValidationContext => ({
  params,
  nowMs,
  ...patch,
})

describe('validateReveal', () => {
  it('accepts a signed reveal of an ended epoch, with its id', async () => {
    const r = await signedReveal()
    const result = validateReveal(encodeReveal(r), context())
    expect(result).toMatchObject({
      verdict: 'accept',
      reveal: { idHex: toHex(revealId(unsignedReveal())), originHex, reveal: r },
    })
    if (result.verdict === 'accept') expect(result.reveal.reveal.alpha).toEqual(member.alpha)
  })

  it('TOO_LARGE, DECODE and NON_CANONICAL', async () => {
    const bytes = await revealBytes()
    const small = context({ params: { ...params, maxMessageBytes: bytes.length - 1 } })
    expectRefusal(validateReveal(bytes, small), 'reject', 'TOO_LARGE')
    expectRefusal(validateReveal(new Uint8Array([0x12, 0x09]), context()), 'reject', 'DECODE')
    const r = await signedReveal()
    const unsigned = wire.Reveal.encode({
      network: r.network,
      origin: new Uint8Array(r.origin),
      epoch: BigInt(r.epoch),
      alpha: new Uint8Array(r.alpha),
    })
    expectRefusal(validateReveal(unsigned, context()), 'reject', 'DECODE')
    // the epoch written again, after the signature: same message, second encoding
    const twice = new Uint8Array([...bytes, 0x18, ...varint(r.epoch)])
    expectRefusal(validateReveal(twice, context()), 'reject', 'NON_CANONICAL')
  })

  it('WRONG_NETWORK', async () => {
    const bytes = await revealBytes({ network: 'othernet' })
    expectRefusal(validateReveal(bytes, context()), 'reject', 'WRONG_NETWORK')
  })

  it('ALPHA_LENGTH: α not 272 bytes (none, short, long)', async () => {
    const r = await signedReveal()
    for (const alpha of [new Uint8Array(0), r.alpha.subarray(1), new Uint8Array(273)])
      expectRefusal(
        validateReveal(encodeReveal({ ...r, alpha }), context()),
        'reject',
        'ALPHA_LENGTH',
      )
  })

  it('EPOCH_TOO_FAR_AHEAD: a reveal for an epoch that has not ended here', async () => {
    const bytes = await revealBytes({ epoch })
    expectRefusal(validateReveal(bytes, context()), 'ignore', 'EPOCH_TOO_FAR_AHEAD')
  })

  it('DUPLICATE: decided before the signature, with the origin and epoch', async () => {
    const r = await signedReveal()
    const forged = encodeReveal({ ...r, signature: new Uint8Array(64) })
    const seen = vi.fn(() => true)
    expectRefusal(validateReveal(forged, context({ seen })), 'ignore', 'DUPLICATE')
    expect(seen).toHaveBeenCalledWith(toHex(revealId(r)), originHex, r.epoch)
  })

  it('BAD_ORIGIN, STRANGER and BAD_SIGNATURE', async () => {
    const r = await signedReveal()
    const badOrigin = encodeReveal({ ...r, origin: new Uint8Array([0x00, 0x03, 1, 2, 3]) })
    expectRefusal(validateReveal(badOrigin, context()), 'reject', 'BAD_ORIGIN')
    const forged = encodeReveal({ ...r, epoch: r.epoch - 1 })
    const admits = vi.fn(() => false)
    expectRefusal(validateReveal(forged, context({ admits })), 'ignore', 'STRANGER')
    expect(admits).toHaveBeenCalledWith(originHex, r.epoch - 1)
    expectRefusal(validateReveal(forged, context()), 'reject', 'BAD_SIGNATURE')
  })
})

function varint(v: number): number[] {
  const out: number[] = []
  for (; v >= 0x80; v = Math.floor(v / 0x80)) out.push((v % 0x80) | 0x80)
  out.push(v)
  return out
}

// Last in the file (tests of a file run in order).
describe('reveal reason codes', () => {
  it('every reveal reason code was produced by a test above', () => {
    expect([...covered].sort()).toEqual(Object.keys(REVEAL_VERDICTS).sort())
  })
})
