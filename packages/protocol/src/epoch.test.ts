import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DEFAULT_PARAMS, resolveParams } from './config.js'
import {
  compareIds,
  epochBeacon,
  epochCloseMs,
  epochDigest,
  epochEnd,
  epochFinalMs,
  epochOf,
  epochPhase,
  epochStart,
  lastClosedEpoch,
  lastFinalEpoch,
  oldestRetainedEpoch,
  poolDigest,
} from './epoch.js'

const vectors = JSON.parse(
  readFileSync(new URL('../../../test/vectors/v1.json', import.meta.url), 'utf8'),
) as {
  network: string
  epochMs: number
  contributions: { id: string; bits: string; timestamp: number; epoch: number }[]
  epoch: { epoch: number; ids: string[]; digest: string; beacon: string }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'))

describe('epoch digest and beacon (vectors v1)', () => {
  const { network, epoch } = vectors
  const byId = new Map(vectors.contributions.map((c) => [c.id, c]))

  it('reproduces digest(r) from the ids, in any order', () => {
    const ids = vectors.contributions.map((c) => bytes(c.id))
    expect(hex(epochDigest(network, epoch.epoch, ids))).toBe(epoch.digest)
    expect(hex(epochDigest(network, epoch.epoch, [...ids].reverse()))).toBe(epoch.digest)
  })

  it('reproduces beacon(r) from the digest and the bits in id order', () => {
    const bits = epoch.ids.map((id) => bytes(byId.get(id)?.bits ?? ''))
    expect(hex(epochBeacon(network, epoch.epoch, bytes(epoch.digest), bits))).toBe(epoch.beacon)
  })

  it('puts each contribution in epoch floor(timestamp / epochMs)', () => {
    for (const c of vectors.contributions)
      expect(epochOf(c.timestamp, vectors.epochMs)).toBe(c.epoch)
  })

  it('digest binds network and epoch', () => {
    const ids = epoch.ids.map(bytes)
    expect(hex(epochDigest('other', epoch.epoch, ids))).not.toBe(epoch.digest)
    expect(hex(epochDigest(network, epoch.epoch + 1, ids))).not.toBe(epoch.digest)
  })
})

describe('epochDigest layout', () => {
  it('is SHA-256 of the documented layout, empty epoch included', () => {
    const expected = createHash('sha256')
      .update(
        Buffer.concat([Buffer.from('alara/v1/epoch\0'), Buffer.from([0, 1]), Buffer.from('n')]),
      )
      .update(Buffer.from([0, 0, 0, 1, 0, 0, 0, 2])) // u64 2^32 + 2
      .update(Buffer.from([0, 0, 0, 0])) // u32 n = 0
      .digest('hex')
    expect(hex(epochDigest('n', 2 ** 32 + 2, []))).toBe(expected)
  })

  it('refuses ids that are not 32 bytes and epochs that are not u64 numbers', () => {
    expect(() => epochDigest('n', 1, [new Uint8Array(31)])).toThrow(/32 bytes/)
    expect(() => epochDigest('n', -1, [])).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
    )
    expect(() => epochDigest('n', 1.5, [])).toThrow(/epoch/)
    expect(() => epochDigest('x'.repeat(70_000), 1, [])).toThrow(/u16/)
  })

  it('does not reorder the caller array', () => {
    const ids = [new Uint8Array(32).fill(9), new Uint8Array(32).fill(1)]
    epochDigest('n', 1, ids)
    expect(ids[0]?.[0]).toBe(9)
  })

  it('depends on the set of ids only (property)', () => {
    const idSets = fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
      maxLength: 12,
      selector: hex,
    })
    fc.assert(
      fc.property(
        idSets.chain((ids) =>
          fc.tuple(
            fc.constant(ids),
            fc.shuffledSubarray(ids, { minLength: ids.length, maxLength: ids.length }),
          ),
        ),
        ([ids, shuffled]) => {
          expect(epochDigest('p', 7, shuffled)).toEqual(epochDigest('p', 7, ids))
        },
      ),
    )
  })
})

describe('epochBeacon', () => {
  it('refuses an empty epoch and a digest of the wrong size', () => {
    expect(() => epochBeacon('n', 1, new Uint8Array(32), [])).toThrow(/no beacon/)
    expect(() => epochBeacon('n', 1, new Uint8Array(31), [new Uint8Array(1)])).toThrow(/32 bytes/)
  })
})

describe('poolDigest', () => {
  it('is SHA-256 of the ids sorted ascending, concatenated', () => {
    const a = new Uint8Array(32).fill(0xaa)
    const b = new Uint8Array(32).fill(0x0b)
    const expected = createHash('sha256').update(b).update(a).digest('hex')
    expect(hex(poolDigest([a, b]))).toBe(expected)
    expect(hex(poolDigest([]))).toBe(createHash('sha256').digest('hex'))
  })

  it('compareIds orders bytewise', () => {
    expect(compareIds(bytes('00ff'), bytes('0100'))).toBeLessThan(0)
    expect(compareIds(bytes('0100'), bytes('0100'))).toBe(0)
    expect(compareIds(bytes('ff'), bytes('0f'))).toBeGreaterThan(0)
  })
})

describe('epoch times', () => {
  const p = resolveParams({ epochMs: 5000, graceMs: 1000 })

  it('spans [r·epochMs, (r+1)·epochMs)', () => {
    expect(epochStart(3, 5000)).toBe(15_000)
    expect(epochEnd(3, 5000)).toBe(20_000)
    expect(epochOf(19_999, 5000)).toBe(3)
    expect(epochOf(20_000, 5000)).toBe(4)
    expect(epochOf(0, 5000)).toBe(0)
  })

  it('closes at end + graceMs and is final at end + finalMs (3 epochs by default)', () => {
    expect(epochCloseMs(3, p)).toBe(21_000)
    expect(epochFinalMs(3, p)).toBe(35_000)
    expect(epochFinalMs(3, DEFAULT_PARAMS)).toBe(20_000 + 15_000)
    expect(epochPhase(3, 20_999, p)).toBe('open')
    expect(epochPhase(3, 21_000, p)).toBe('closed')
    expect(epochPhase(3, 34_999, p)).toBe('closed')
    expect(epochPhase(3, 35_000, p)).toBe('final')
  })

  it('finds the newest closed and final epochs', () => {
    expect(lastClosedEpoch(5_999, p)).toBeUndefined()
    expect(lastClosedEpoch(6_000, p)).toBe(0)
    expect(lastClosedEpoch(21_000, p)).toBe(3)
    expect(lastClosedEpoch(25_999, p)).toBe(3)
    expect(lastFinalEpoch(19_999, p)).toBeUndefined()
    expect(lastFinalEpoch(35_000, p)).toBe(3)
  })

  it('agrees with epochPhase everywhere (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (now) => {
        const closed = lastClosedEpoch(now, p)
        const final = lastFinalEpoch(now, p)
        if (closed !== undefined) {
          expect(epochPhase(closed, now, p)).not.toBe('open')
          expect(epochPhase(closed + 1, now, p)).toBe('open')
        } else expect(epochPhase(0, now, p)).toBe('open')
        if (final !== undefined) {
          expect(epochPhase(final, now, p)).toBe('final')
          expect(epochPhase(final + 1, now, p)).not.toBe('final')
        } else expect(epochPhase(0, now, p)).not.toBe('final')
      }),
    )
  })

  it('keeps retainEpochs epochs ending at the current one', () => {
    expect(oldestRetainedEpoch(1000, 720)).toBe(281)
    expect(oldestRetainedEpoch(10, 720)).toBe(0)
    expect(() => oldestRetainedEpoch(10, 0)).toThrow(/retainEpochs/)
  })

  it('refuses bad times', () => {
    expect(() => epochOf(-1, 5000)).toThrow(/timestampMs/)
    expect(() => epochOf(1, 0)).toThrow(/epochMs/)
    expect(() => epochEnd(Number.MAX_SAFE_INTEGER + 1, 5000)).toThrow(/epoch/)
  })
})
