import { encodeContribution, epochDigest, fromHex, signContribution, toHex } from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { FIXTURE_T, type Fixture, info, makeEpoch } from './beacon.fixture.js'
import { type Expected, verifyBeaconAnswer, verifyTimelockInfo } from './verify.js'

let fx: Fixture
let recovered: Fixture
let pending: Fixture
let lab: Expected
beforeAll(async () => {
  fx = await makeEpoch('lab', 42, 3, { equivocator: true })
  recovered = await makeEpoch('lab', 43, 0, { members: 3, withhold: 2 })
  pending = await makeEpoch('lab', 44, 1, { members: 2, withhold: 1, noRecovery: true })
  lab = { network: 'lab', epoch: 42, ...verifyTimelockInfo((await info('lab')) as never) }
})

const refused = (answer: unknown, expected: Partial<Expected> = {}) =>
  expect(verifyBeaconAnswer(answer, { ...lab, ...expected })).rejects.toMatchObject({
    code: 'ERR_VERIFY',
  })

function flipBit(hex: string, byte: number, bit = 0): string {
  const b = fromHex(hex)
  b[byte] = (b[byte] as number) ^ (1 << bit)
  return toHex(b)
}

describe('verifyTimelockInfo', () => {
  it('takes h with a valid proof for the group of RSA-2048, and nothing else', async () => {
    const good = await info('lab')
    expect(verifyTimelockInfo(good as never).timelockSquarings).toBe(FIXTURE_T)
    for (const bad of [
      { ...good, timelockSquarings: FIXTURE_T + 1 },
      { ...good, h: flipBit(good.h as string, 255) },
      { ...good, hProof: flipBit(good.hProof as string, 255) },
      { ...good, gid: 'ab'.repeat(32) },
      { ...good, timelockSquarings: undefined },
    ])
      expect(() => verifyTimelockInfo(bad as never)).toThrow(
        expect.objectContaining({ code: 'ERR_VERIFY' }),
      )
  })
})

describe('verifyBeaconAnswer: the shared beacon (version 2)', () => {
  it('accepts a revealed epoch and recomputes Ω_r, D_r and the members', async () => {
    const v = await verifyBeaconAnswer(fx.answer, lab)
    expect(v).toMatchObject({
      network: 'lab',
      epoch: 42,
      status: 'revealed',
      beacon: fx.shared.beacon,
      commitsDigest: toHex(fx.shared.set.digest),
      withheld: [],
      poolBeacon: fx.answer.poolBeacon,
      count: 3,
    })
    expect(v.commits).toHaveLength(3)
    expect(v.equivocating).toEqual([fx.answer.equivocating[0]?.peerId])
  })

  it('accepts a recovered epoch (two withheld) with no contributions', async () => {
    const v = await verifyBeaconAnswer(recovered.answer, { ...lab, epoch: 43 })
    expect(v).toMatchObject({ status: 'recovered', beacon: recovered.shared.beacon, count: 0 })
    expect(v.withheld).toEqual(recovered.answer.withheld)
    expect(v.withheld).toHaveLength(2)
    expect(v.poolBeacon).toBeUndefined()
  })

  it('accepts a pending epoch as pending, with no Ω', async () => {
    const v = await verifyBeaconAnswer(pending.answer, { ...lab, epoch: 44 })
    expect(v).toMatchObject({ status: 'pending', withheld: pending.answer.withheld })
    expect(v.beacon).toBeUndefined()
  })

  it('refuses a forged Ω, status, D_r or withheld list', async () => {
    await refused({ ...fx.answer, beacon: flipBit(fx.answer.beacon as string, 31) })
    await refused({ ...fx.answer, status: 'recovered' })
    await refused({ ...fx.answer, commitsDigest: flipBit(fx.answer.commitsDigest as string, 0) })
    await refused({ ...fx.answer, withheld: [fx.answer.equivocating[0]?.peerId] })
    const { beacon: _, ...noBeacon } = fx.answer
    await refused({ ...noBeacon, status: 'pending' })
    // a pending epoch dressed as revealed with a made-up Ω
    await refused({ ...pending.answer, status: 'revealed', beacon: 'ab'.repeat(32) }, { epoch: 44 })
    // another T: the same messages give another D_r
    await refused(fx.answer, { timelockSquarings: FIXTURE_T * 2 })
  })

  it('refuses a tampered commit, reveal or recovery', async () => {
    const commit = fx.answer.commits[1] as string
    const reveal = fx.answer.reveals[1] as string
    const recovery = recovered.answer.recovery as string
    const len = (hex: string) => hex.length / 2
    // the signature (the last bytes), the element / α, and inside the recovery's y and proof
    for (const at of [len(commit) - 1, len(commit) - 100])
      await refused({ ...fx.answer, commits: fx.answer.commits.with(1, flipBit(commit, at)) })
    for (const at of [len(reveal) - 1, len(reveal) - 100])
      await refused({ ...fx.answer, reveals: fx.answer.reveals.with(1, flipBit(reveal, at)) })
    for (const at of [len(recovery) - 1, len(recovery) - 300])
      await refused({ ...recovered.answer, recovery: flipBit(recovery, at) }, { epoch: 43 })
  })

  it('refuses a dropped reveal, a reordered or repeated commit list, a recovery left out', async () => {
    const [a, b, c] = fx.answer.commits as [string, string, string]
    await refused({ ...fx.answer, commits: [b, a, c] })
    await refused({ ...fx.answer, commits: [a, a, c] })
    // a member left out of C_r: D_r no longer matches
    await refused({ ...fx.answer, commits: [a, c] })
    await refused({ ...fx.answer, reveals: fx.answer.reveals.slice(1) })
    const { recovery: _, ...noRecovery } = recovered.answer
    await refused(noRecovery, { epoch: 43 })
  })

  it('refuses equivocation evidence that is not two signed commits of one origin', async () => {
    const e = fx.answer.equivocating[0] as { peerId: string; commits: string[] }
    const [x, y] = e.commits as [string, string]
    await refused({ ...fx.answer, equivocating: [{ ...e, commits: [x, x] }] })
    await refused({ ...fx.answer, equivocating: [{ ...e, commits: [x] }] })
    await refused({ ...fx.answer, equivocating: [{ ...e, commits: [x, flipBit(y, 10)] }] })
    await refused({
      ...fx.answer,
      equivocating: [{ ...e, commits: [x, fx.answer.commits[0] as string] }],
    })
  })

  it('refuses any single flipped bit in any signed message of the shared beacon', async () => {
    const fields = ['commits', 'reveals'] as const
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        async (field, which, where, bit) => {
          const list = fx.answer[field]
          const i = which % list.length
          const hex = list[i] as string
          const tampered = list.with(i, flipBit(hex, where % (hex.length / 2), bit))
          await refused({ ...fx.answer, [field]: tampered })
        },
      ),
      { numRuns: 40 },
    )
  })
})

describe('verifyBeaconAnswer: the pool beacon (version 1)', () => {
  it('recomputes ids, digest and pool beacon', async () => {
    const v = await verifyBeaconAnswer(fx.answer, lab)
    expect(v.ids).toEqual([...v.ids].sort())
    expect(v.contributions.map((c) => toHex(c.bits))).toEqual(
      fx.contributions.map((c) => toHex(c.bits)),
    )
    // latest: any epoch
    await expect(verifyBeaconAnswer(fx.answer, { ...lab, epoch: undefined })).resolves.toBeDefined()
  })

  it('refuses a flipped bit anywhere in a contribution (bits or signature)', async () => {
    const first = fx.answer.contributions[0] as string
    const len = first.length / 2
    for (const at of [len - 1, len - 40, len - 70])
      await refused({
        ...fx.answer,
        contributions: fx.answer.contributions.with(0, flipBit(first, at)),
      })
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
    const contributions = fx.answer.contributions.with(
      1,
      toHex(encodeContribution({ ...forged, origin: c.origin })),
    )
    await expect(verifyBeaconAnswer({ ...fx.answer, contributions }, lab)).rejects.toThrow(
      /signature does not verify/,
    )
  })

  it('refuses a reordered or repeated list', async () => {
    const [a, b, c] = fx.answer.contributions as [string, string, string]
    await refused({ ...fx.answer, contributions: [b, a, c] })
    await refused({ ...fx.answer, contributions: [a, a, c] })
  })

  it('refuses a wrong digest, a wrong pool beacon, a wrong count, a wrong epoch', async () => {
    await refused({ ...fx.answer, digest: flipBit(fx.answer.digest, 0) })
    await refused({ ...fx.answer, poolBeacon: flipBit(fx.answer.poolBeacon as string, 31, 7) })
    await refused({ ...fx.answer, count: 2 })
    await refused({ ...fx.answer, contributions: fx.answer.contributions.slice(1), count: 2 })
    await refused(fx.answer, { epoch: 43 })
    await refused({ ...fx.answer, epoch: 43 }, { epoch: 43 })
  })

  it('refuses a padded (non-canonical) encoding of a genuine message', async () => {
    // an unknown varint field (number 15) appended: decodes to the same message
    await expect(
      verifyBeaconAnswer(
        {
          ...fx.answer,
          contributions: fx.answer.contributions.map((c, i) => (i === 2 ? `${c}7801` : c)),
        },
        lab,
      ),
    ).rejects.toThrow(/not canonically encoded/)
    await expect(
      verifyBeaconAnswer({ ...fx.answer, commits: fx.answer.commits.map((c) => `${c}7801`) }, lab),
    ).rejects.toThrow(/not canonically encoded/)
  })

  it('refuses a genuine epoch of another network', async () => {
    await expect(verifyBeaconAnswer(fx.answer, { ...lab, network: 'other' })).rejects.toThrow(
      /network 'lab', not 'other'/,
    )
  })

  it('refuses malformed documents and hex, and an epoch with no beacon at all', async () => {
    for (const bad of [
      null,
      'x',
      { ...fx.answer, beacon: 'zz' },
      { ...fx.answer, status: 'done' },
      { ...fx.answer, contributions: 'ab' },
      { ...fx.answer, equivocating: [{ peerId: 1 }] },
      {
        ...fx.answer,
        contributions: [fx.answer.contributions[0]?.toUpperCase(), 'a', 'b'],
      },
      {
        epoch: 42,
        status: 'none',
        commits: [],
        reveals: [],
        withheld: [],
        equivocating: [],
        digest: toHex(epochDigest('lab', 42, [])),
        contributions: [],
        count: 0,
      },
    ])
      await refused(bad)
  })
})
