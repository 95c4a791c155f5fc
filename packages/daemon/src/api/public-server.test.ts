import {
  contributionId,
  encodeContribution,
  encodeElement,
  epochBeacon,
  epochDigest,
  GID,
  peerIdFromOrigin,
  resolveParams,
  signContribution,
  toHex,
} from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  type SignedEpoch,
  signedEpoch,
} from '../../../protocol/src/beacon/signed-epoch.fixtures.js'
import { PublicBeacons } from './public-beacons.js'
import { buildPublicApi } from './public-server.js'

const T = 2 ** 10
const params = resolveParams({
  network: 'lab',
  epochMs: 1000,
  graceMs: 100,
  finalMs: 3000,
  timelockSquarings: T,
})
/** epoch 10 is final from 14_000 on */
const NOW = 14_500

interface Stored {
  finals: Map<number, Uint8Array[]>
  contributions: Map<string, Uint8Array>
  /** version 2's records per epoch */
  shared: Map<number, SharedRecords>
}

interface SharedRecords {
  commits: Uint8Array[]
  reveals: Uint8Array[]
  recovery: Uint8Array | undefined
  commitSet: Uint8Array[] | undefined
}

async function storeWithEpoch10(): Promise<{ stored: Stored; beacon: string; encoded: string }> {
  const key = await generateKeyPair('Ed25519')
  const c = await signContribution(key, {
    network: 'lab',
    origin: key.publicKey.toMultihash().bytes,
    seq: 1,
    epoch: 10,
    timestampMs: 10_100,
    bitLength: 64,
    bits: new Uint8Array(8).fill(0xa5),
  })
  const id = contributionId(c)
  const bytes = encodeContribution(c)
  const stored: Stored = {
    finals: new Map([
      [10, [id]],
      [11, []],
    ]),
    contributions: new Map([[`10/${toHex(id)}`, bytes]]),
    shared: new Map(),
  }
  const digest = epochDigest('lab', 10, [id])
  return { stored, beacon: toHex(epochBeacon('lab', 10, digest, [c.bits])), encoded: toHex(bytes) }
}

/** Epoch `e`'s records as the store keeps them once frozen (the equivocator's two commits too). */
function recordsOf(e: SignedEpoch): SharedRecords {
  return {
    commits: [...e.commits, ...(e.equivocation ?? [])],
    reveals: e.reveals,
    recovery: e.recovery,
    commitSet: e.commitIds,
  }
}

function beaconsOver(stored: Stored, now = NOW): PublicBeacons {
  return new PublicBeacons({
    params,
    timelock: { h: timelock.h },
    selfHex: '00',
    now: () => now,
    store: {
      getFinal: async (r) => stored.finals.get(r),
      getContribution: async (r, idHex) => stored.contributions.get(`${r}/${idHex}`),
      newestFinalWithIds: async (atMost) => {
        const held = [...stored.finals].filter(([r, ids]) => r <= atMost && ids.length > 0)
        return held.length === 0 ? undefined : Math.max(...held.map(([r]) => r))
      },
      beacon: {
        records: async (r: number) =>
          stored.shared.get(r) ?? {
            commits: [],
            reveals: [],
            recovery: undefined,
            commitSet: undefined,
          },
        epochsFrom: async (from: number) =>
          [...stored.shared.keys()].filter((r) => r >= from).sort((a, b) => a - b),
      },
    },
  })
}

const peerIdOfCommit = (e: SignedEpoch, i: number): string =>
  peerIdFromOrigin(e.set.members[i]?.origin as Uint8Array).toString()

let fx: Awaited<ReturnType<typeof storeWithEpoch10>>
let revealed: SignedEpoch
let recovered: SignedEpoch
let pending: SignedEpoch
let timelock: SignedEpoch['timelock']
beforeAll(async () => {
  fx = await storeWithEpoch10()
  revealed = await signedEpoch({ epoch: 10, T, equivocator: true })
  recovered = await signedEpoch({ epoch: 9, T, withhold: 1 })
  pending = await signedEpoch({ epoch: 8, T, withhold: 1, noRecovery: true })
  timelock = revealed.timelock
  fx.stored.shared.set(10, recordsOf(revealed))
  fx.stored.shared.set(9, recordsOf(recovered))
  fx.stored.shared.set(8, recordsOf(pending))
})

describe('PublicBeacons', () => {
  it('serves a final epoch from the store, both beacons proven, and latest/at find it', async () => {
    const b = beaconsOver(fx.stored)
    const got = await b.get(10)
    expect(got).toMatchObject({
      epoch: 10,
      beacon: revealed.beacon,
      status: 'revealed',
      commitsDigest: toHex(revealed.set.digest),
      commits: revealed.commits.map(toHex),
      reveals: revealed.reveals.map(toHex),
      withheld: [],
      poolBeacon: fx.beacon,
      count: 1,
      contributions: [fx.encoded],
    })
    expect(got.recovery).toBeUndefined()
    // the equivocator is named with its two signed commits, and left out of C_r
    expect(got.equivocating).toHaveLength(1)
    expect(got.equivocating[0]?.commits.sort()).toEqual(
      (revealed.equivocation ?? []).map(toHex).sort(),
    )
    expect(got.commits).toHaveLength(3)
    expect(await b.latest()).toEqual(got)
    expect(await b.at(10_999)).toEqual(got)
  })

  it('serves a recovered epoch with its recovery, and a pending one without Ω', async () => {
    const b = beaconsOver(fx.stored)
    const r9 = await b.get(9)
    expect(r9).toMatchObject({
      epoch: 9,
      status: 'recovered',
      beacon: recovered.beacon,
      recovery: toHex(recovered.recovery as Uint8Array),
      withheld: [peerIdOfCommit(recovered, 0)],
      count: 0,
      contributions: [],
    })
    expect(r9.poolBeacon).toBeUndefined()
    expect(r9.reveals).toHaveLength(2)
    const r8 = await b.get(8)
    expect(r8).toMatchObject({ status: 'pending', withheld: [peerIdOfCommit(pending, 0)] })
    expect(r8.beacon).toBeUndefined()
  })

  it('latest skips final epochs whose Ω is pending, but takes a pool beacon where nobody committed', async () => {
    const pending10 = await signedEpoch({ epoch: 10, T, withhold: 1, noRecovery: true })
    const pending11 = await signedEpoch({ epoch: 11, T, withhold: 2, noRecovery: true })
    const stored: Stored = {
      finals: new Map([[10, fx.stored.finals.get(10) ?? []]]),
      contributions: fx.stored.contributions,
      shared: new Map([
        [9, recordsOf(recovered)],
        [11, recordsOf(pending11)],
      ]),
    }
    // 11 is pending, 10 has contributions but no commits: its pool beacon is latest
    const b = beaconsOver(stored, 15_500)
    expect((await b.latest()).epoch).toBe(10)
    // with commits in 10 that are still pending, latest goes back to 9
    stored.shared.set(10, recordsOf(pending10))
    expect(await beaconsOver(stored, 15_500).latest()).toMatchObject({
      epoch: 9,
      status: 'recovered',
    })
  })

  it('refuses epochs not final yet, empty, or not held', async () => {
    const early = beaconsOver(fx.stored, 13_999)
    await expect(early.get(10)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    const b = beaconsOver(fx.stored)
    await expect(b.get(11)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    await expect(b.get(3)).rejects.toThrow(/not held here/)
    await expect(
      beaconsOver({ finals: new Map(), contributions: new Map(), shared: new Map() }).latest(),
    ).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
  })

  it('never publishes a stored contribution that does not verify', async () => {
    const [key] = fx.stored.contributions.keys()
    const bytes = new Uint8Array(fx.stored.contributions.get(key as string) as Uint8Array)
    // the last byte is the signature's
    bytes[bytes.length - 1] = (bytes.at(-1) as number) ^ 1
    const tampered: Stored = {
      finals: fx.stored.finals,
      contributions: new Map([[key as string, bytes]]),
      shared: new Map(),
    }
    await expect(beaconsOver(tampered).get(10)).rejects.toMatchObject({
      code: 'ERR_BAD_SIGNATURE',
    })
  })

  it('never publishes a commit, reveal or recovery that does not verify', async () => {
    const flipLast = (bytes: Uint8Array): Uint8Array => {
      const out = new Uint8Array(bytes)
      out[out.length - 1] = (out.at(-1) as number) ^ 1
      return out
    }
    const over = (records: SharedRecords) =>
      beaconsOver({ finals: new Map(), contributions: new Map(), shared: new Map([[9, records]]) })
    const base = recordsOf(recovered)
    // a commit of C_r whose signature fails is not stored as far as the answer goes
    await expect(
      over({
        ...base,
        commits: [flipLast(base.commits[0] as Uint8Array), ...base.commits.slice(1)],
      }).get(9),
    ).rejects.toMatchObject({ code: 'ERR_CORRUPT_STORE' })
    // a reveal that fails is left out: the epoch is pending, no Ω published
    const noReveal = await over({ ...base, reveals: base.reveals.map(flipLast) }).get(9)
    expect(noReveal).toMatchObject({ status: 'pending', reveals: [] })
    expect(noReveal.beacon).toBeUndefined()
    // a recovery whose proof fails is not used
    const badRecovery = await over({
      ...base,
      recovery: flipLast(base.recovery as Uint8Array),
    }).get(9)
    expect(badRecovery.status).toBe('pending')
    expect(badRecovery.recovery).toBeUndefined()
  })
})

describe('public API', () => {
  async function app(rateLimit?: number) {
    return buildPublicApi({
      beacons: beaconsOver(fx.stored),
      params,
      timelock,
      peerId: '12D3KooWtest',
      rateLimit,
    })
  }

  it('answers final epochs immutable, latest briefly cached, all with open CORS', async () => {
    const a = await app()
    const info = await a.inject({ method: 'GET', url: '/public/info' })
    expect(info.json()).toMatchObject({
      network: 'lab',
      epochMs: 1000,
      graceMs: 100,
      finalMs: 3000,
      timelockSquarings: T,
      h: toHex(encodeElement(timelock.h)),
      hProof: toHex(encodeElement(timelock.proof)),
      gid: toHex(GID),
    })
    const e = await a.inject({ method: 'GET', url: '/public/10' })
    expect(e.statusCode).toBe(200)
    expect(e.headers['cache-control']).toBe('public, max-age=604800, immutable')
    expect(e.headers['access-control-allow-origin']).toBe('*')
    expect(e.json()).toMatchObject({ epoch: 10, beacon: revealed.beacon, poolBeacon: fx.beacon })
    // a pending Ω is never cached as immutable
    const p = await a.inject({ method: 'GET', url: '/public/8' })
    expect(p.json()).toMatchObject({ status: 'pending' })
    expect(p.headers['cache-control']).toBe('no-cache')
    const at = await a.inject({ method: 'GET', url: '/public/at/10500' })
    expect(at.json()).toEqual(e.json())
    const latest = await a.inject({ method: 'GET', url: '/public/latest' })
    expect(latest.headers['cache-control']).toBe('public, max-age=1')
    await a.close()
  })

  it('404 for a non-final epoch, 400 for a malformed one, JSON errors never cached', async () => {
    const a = await app()
    const later = await a.inject({ method: 'GET', url: '/public/12' })
    expect(later.statusCode).toBe(404)
    expect(later.headers['cache-control']).toBe('no-store')
    expect(later.json()).toMatchObject({ error: { code: 'ERR_NOT_FOUND' } })
    expect((await a.inject({ method: 'GET', url: '/public/-1' })).statusCode).toBe(400)
    expect((await a.inject({ method: 'GET', url: '/public/at/x' })).statusCode).toBe(400)
    expect((await a.inject({ method: 'POST', url: '/public/10' })).statusCode).toBe(404)
    await a.close()
  })

  it('limits each client address: 429 with Retry-After', async () => {
    const a = await app(3)
    for (let i = 0; i < 3; i++)
      expect((await a.inject({ method: 'GET', url: '/public/info' })).statusCode).toBe(200)
    const over = await a.inject({ method: 'GET', url: '/public/info' })
    expect(over.statusCode).toBe(429)
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0)
    expect(over.json()).toMatchObject({ error: { code: 'ERR_RATE_LIMITED' } })
    // another address has its own budget
    const other = await a.inject({ method: 'GET', url: '/public/info', remoteAddress: '10.0.0.9' })
    expect(other.statusCode).toBe(200)
    await a.close()
  })
})
