import { encodeContribution, fromHex, signContribution, toHex } from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Fixture, makeEpoch } from './beacon.fixture.js'
import { verifyBeaconAnswer } from './verify.js'

let fx: Fixture
beforeAll(async () => {
  fx = await makeEpoch('lab', 42, 3)
})

const refused = (answer: unknown, expected = { network: 'lab', epoch: 42 }) =>
  expect(verifyBeaconAnswer(answer, expected)).rejects.toMatchObject({ code: 'ERR_VERIFY' })

function flipBit(hex: string, byte: number, bit = 0): string {
  const b = fromHex(hex)
  b[byte] = (b[byte] as number) ^ (1 << bit)
  return toHex(b)
}

describe('verifyBeaconAnswer', () => {
  it('accepts a genuine epoch and recomputes what it returns', async () => {
    const v = await verifyBeaconAnswer(fx.answer, { network: 'lab', epoch: 42 })
    expect(v).toMatchObject({ network: 'lab', epoch: 42, count: 3, beacon: fx.answer.beacon })
    expect(v.ids).toEqual([...v.ids].sort())
    expect(v.contributions.map((c) => toHex(c.bits))).toEqual(
      fx.contributions.map((c) => toHex(c.bits)),
    )
    // latest: any epoch
    await expect(verifyBeaconAnswer(fx.answer, { network: 'lab' })).resolves.toBeDefined()
  })

  it('refuses a flipped bit anywhere in a contribution (bits or signature)', async () => {
    const first = fx.answer.contributions[0] as string
    const len = first.length / 2
    for (const at of [len - 1, len - 40, len - 70]) {
      const contributions = [...fx.answer.contributions]
      contributions[0] = flipBit(first, at)
      await refused({ ...fx.answer, contributions })
    }
  })

  it('refuses a validly signed contribution whose signature is by another key', async () => {
    const other = await generateKeyPair('Ed25519')
    const c = fx.contributions[1]
    if (c === undefined) throw new Error('fixture')
    // signed by `other` but claiming the original origin
    const forged = await signContribution(other, {
      ...c,
      origin: other.publicKey.toMultihash().bytes,
    })
    const contributions = [...fx.answer.contributions]
    contributions[1] = toHex(encodeContribution({ ...forged, origin: c.origin }))
    await expect(
      verifyBeaconAnswer({ ...fx.answer, contributions }, { network: 'lab', epoch: 42 }),
    ).rejects.toThrow(/signature does not verify/)
  })

  it('refuses a reordered or repeated list', async () => {
    const [a, b, c] = fx.answer.contributions as [string, string, string]
    await refused({ ...fx.answer, contributions: [b, a, c] })
    await refused({ ...fx.answer, contributions: [a, a, c] })
  })

  it('refuses a wrong digest, a wrong beacon, a wrong count, a wrong epoch', async () => {
    await refused({ ...fx.answer, digest: flipBit(fx.answer.digest, 0) })
    await refused({ ...fx.answer, beacon: flipBit(fx.answer.beacon, 31, 7) })
    await refused({ ...fx.answer, count: 2 })
    await refused({ ...fx.answer, contributions: fx.answer.contributions.slice(1), count: 2 })
    await refused(fx.answer, { network: 'lab', epoch: 43 })
    await refused({ ...fx.answer, epoch: 43 }, { network: 'lab', epoch: 43 })
  })

  it('refuses a padded (non-canonical) encoding of a genuine contribution', async () => {
    const contributions = [...fx.answer.contributions]
    // an unknown varint field (number 15) appended: decodes to the same message
    contributions[2] = `${contributions[2]}7801`
    await expect(
      verifyBeaconAnswer({ ...fx.answer, contributions }, { network: 'lab', epoch: 42 }),
    ).rejects.toThrow(/not canonically encoded/)
  })

  it('refuses a genuine epoch of another network', async () => {
    await expect(verifyBeaconAnswer(fx.answer, { network: 'other' })).rejects.toThrow(
      /network 'lab', not 'other'/,
    )
  })

  it('refuses malformed documents and hex', async () => {
    for (const bad of [
      null,
      'x',
      { ...fx.answer, beacon: 'zz' },
      { ...fx.answer, contributions: 'ab' },
      { ...fx.answer, contributions: [fx.answer.contributions[0]?.toUpperCase(), 'a', 'b'] },
      { ...fx.answer, contributions: [], count: 0 },
    ])
      await refused(bad)
  })
})
