import {
  contributionId,
  encodeContribution,
  epochBeacon,
  epochDigest,
  signContribution,
  toHex,
} from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { beforeAll, describe, expect, it } from 'vitest'
import { PublicBeacons } from './public-beacons.js'
import { buildPublicApi } from './public-server.js'

const params = { network: 'lab', epochMs: 1000, graceMs: 200, finalMs: 3000 }
/** epoch 10 is final from 14_000 on */
const NOW = 14_500

interface Stored {
  finals: Map<number, Uint8Array[]>
  contributions: Map<string, Uint8Array>
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
  }
  const digest = epochDigest('lab', 10, [id])
  return { stored, beacon: toHex(epochBeacon('lab', 10, digest, [c.bits])), encoded: toHex(bytes) }
}

function beaconsOver(stored: Stored, now = NOW): PublicBeacons {
  return new PublicBeacons({
    params,
    now: () => now,
    store: {
      getFinal: async (r) => stored.finals.get(r),
      getContribution: async (r, idHex) => stored.contributions.get(`${r}/${idHex}`),
      newestFinalWithIds: async (atMost) => {
        const held = [...stored.finals].filter(([r, ids]) => r <= atMost && ids.length > 0)
        return held.length === 0 ? undefined : Math.max(...held.map(([r]) => r))
      },
    },
  })
}

let fx: Awaited<ReturnType<typeof storeWithEpoch10>>
beforeAll(async () => {
  fx = await storeWithEpoch10()
})

describe('PublicBeacons', () => {
  it('serves a final epoch from the store, verified, and latest/at find it', async () => {
    const b = beaconsOver(fx.stored)
    const got = await b.get(10)
    expect(got).toMatchObject({
      epoch: 10,
      beacon: fx.beacon,
      count: 1,
      contributions: [fx.encoded],
    })
    expect(await b.latest()).toEqual(got)
    expect(await b.at(10_999)).toEqual(got)
  })

  it('refuses epochs not final yet, empty, or not held', async () => {
    const early = beaconsOver(fx.stored, 13_999)
    await expect(early.get(10)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    const b = beaconsOver(fx.stored)
    await expect(b.get(11)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    await expect(b.get(3)).rejects.toThrow(/not held here/)
    await expect(
      beaconsOver({ finals: new Map(), contributions: new Map() }).latest(),
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
    }
    await expect(beaconsOver(tampered).get(10)).rejects.toMatchObject({
      code: 'ERR_BAD_SIGNATURE',
    })
  })
})

describe('public API', () => {
  async function app(rateLimit?: number) {
    return buildPublicApi({
      beacons: beaconsOver(fx.stored),
      params,
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
      graceMs: 200,
      finalMs: 3000,
    })
    const e = await a.inject({ method: 'GET', url: '/public/10' })
    expect(e.statusCode).toBe(200)
    expect(e.headers['cache-control']).toBe('public, max-age=604800, immutable')
    expect(e.headers['access-control-allow-origin']).toBe('*')
    expect(e.json()).toMatchObject({ epoch: 10, beacon: fx.beacon })
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
