import { randomBytes } from 'node:crypto'
import {
  checkContributionHere,
  checkSignature,
  encodeContribution,
  originOf,
  resolveParams,
  type SignatureCheck,
  signContribution,
} from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { VerifyPoolBusyError, VerifyPoolStoppedError } from '../errors.js'
import { VerifyPool } from './verify-pool.js'

let pool: VerifyPool | undefined
afterEach(async () => {
  vi.useRealTimers()
  await pool?.stop()
  pool = undefined
})

/** n checks from a few signers; every third is forged (one signature byte flipped). */
async function checks(n: number): Promise<{ checks: SignatureCheck[]; valid: boolean[] }> {
  const keys = await Promise.all([1, 2, 3].map(() => generateKeyPair('Ed25519')))
  const out: SignatureCheck[] = []
  const valid: boolean[] = []
  for (let i = 0; i < n; i++) {
    const key = keys[i % keys.length]
    if (key === undefined) throw new Error('no key')
    const message = new Uint8Array(randomBytes(64 + (i % 50)))
    const signature = new Uint8Array(await key.sign(message))
    const forged = i % 3 === 2
    if (forged) signature[i % 64] = (signature[i % 64] ?? 0) ^ 0x01
    out.push({ origin: originOf(peerIdFromPrivateKey(key)), message, signature })
    valid.push(!forged)
  }
  return { checks: out, valid }
}

describe('VerifyPool', () => {
  it('answers exactly what in-thread verification answers, in batches', async () => {
    const { checks: cs, valid } = await checks(300)
    expect(cs.map(checkSignature)).toEqual(valid)
    pool = new VerifyPool({ threads: 2, maxBatch: 16 })
    pool.start()
    await pool.warm() // threads loaded: what is measured is the pool, not their start
    const results = await Promise.all(cs.map((c) => pool?.verify(c)))
    expect(results).toEqual(valid)
    const stats = pool.stats()
    // the first found the pool quiet and was verified in-thread; the burst went to threads
    expect(stats).toMatchObject({ pooled: 299, inline: 1 })
    expect(stats.maxQueuedSeen).toBeGreaterThan(16)
  })

  it('a bad origin or a short signature is simply invalid', async () => {
    const { checks: cs } = await checks(3)
    const good = cs[0] as SignatureCheck
    pool = new VerifyPool({ threads: 1 })
    pool.start()
    await pool.warm() // threads loaded: what is measured is the pool, not their start
    const bad = [
      { ...good, origin: new Uint8Array([1, 2, 3]) },
      { ...good, signature: good.signature.subarray(0, 10) },
    ]
    const all = await Promise.all([...cs, ...bad].map((c) => pool?.verify(c)))
    expect(all.slice(3)).toEqual([false, false])
  })

  it('bounds its queue: beyond maxQueued a check is refused at once as busy', async () => {
    const { checks: cs, valid } = await checks(400)
    pool = new VerifyPool({ threads: 1, maxBatch: 8, maxQueued: 32 })
    pool.start()
    await pool.warm() // threads loaded: what is measured is the pool, not their start
    const outcomes = await Promise.allSettled(cs.map((c) => pool?.verify(c)))
    // the first in-thread (quiet pool), the next 32 queued (one task: no flush between),
    // the rest refused
    outcomes.forEach((o, i) => {
      if (i <= 32) expect(o).toEqual({ status: 'fulfilled', value: valid[i] })
      else expect((o as PromiseRejectedResult).reason).toBeInstanceOf(VerifyPoolBusyError)
    })
    expect(pool.stats()).toMatchObject({ maxQueuedSeen: 32, shed: 367, queued: 0, inline: 1 })
    // once drained, it takes work again
    expect(await Promise.all(cs.slice(0, 20).map((c) => pool?.verify(c)))).toEqual(
      valid.slice(0, 20),
    )
  })

  it("one source's flood sheds its own checks and does not delay another source's", async () => {
    const { checks: cs, valid } = await checks(240)
    pool = new VerifyPool({ threads: 1, maxBatch: 8, maxQueued: 128 })
    pool.start()
    await pool.warm() // threads loaded: what is measured is the pool, not their start
    const order: string[] = []
    const submit = (c: SignatureCheck, source: string) =>
      (pool as VerifyPool).verify(c, source).then(
        (v) => {
          order.push(source)
          return v
        },
        (err: Error) => {
          throw err
        },
      )
    // in one task: 200 from the flooder, then 40 from an honest peer
    const flood = Promise.allSettled(cs.slice(0, 200).map((c) => submit(c, 'flooder')))
    // full of the flooder's checks: its next would be shed, another source's would not
    expect(pool.hasRoomFor('flooder')).toBe(false)
    expect(pool.hasRoomFor('honest')).toBe(true)
    const honest = cs.slice(200).map((c) => submit(c, 'honest'))
    expect(await Promise.all(honest)).toEqual(valid.slice(200))
    const floodOutcomes = await flood
    const shed = floodOutcomes.filter((o) => o.status === 'rejected')
    for (const o of shed)
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(VerifyPoolBusyError)
    // the flooder filled the queue (128) and each honest check evicted one of its checks:
    // 88 of its checks were verified on the threads, the rest in-thread (a quiet pool:
    // one, or more if this process was paused ≥ 20 ms between two calls) or shed
    expect(200 - shed.length).toBe(88 + pool.stats().inline)
    expect(pool.stats().shed).toBe(shed.length)
    // served in turn: all 40 honest answers came within the first 100 answers
    expect(order.lastIndexOf('honest')).toBeLessThan(100)
  })

  it('sizes batches to ~10 ms of measured work, so a slow thread is sent few checks at a time', async () => {
    const { checks: cs, valid } = await checks(40)
    pool = new VerifyPool({
      threads: 1,
      workerUrl: new URL('./slow-worker.fixtures.ts', import.meta.url),
    })
    pool.start()
    await pool.warm() // threads loaded: what is measured is the pool, not their start
    expect(pool.stats().batchSize).toBe(64) // before any measure: an idle core's pace
    // waves of 40: the moving average of the threads' own times settles over the batches
    for (let wave = 0; wave < 6; wave++)
      expect(await Promise.all(cs.map((c) => pool?.verify(c)))).toEqual(valid)
    // 2 ms a check (or more on a loaded machine): at most ~5 checks a batch
    expect(pool.stats().batchSize).toBeLessThanOrEqual(6)
  })

  it('verifies a lone check of a quiet node in-thread, a steady stream on the threads', async () => {
    const { checks: cs, valid } = await checks(40)
    pool = new VerifyPool({ threads: 2 })
    pool.start()
    await pool.warm() // threads loaded: what is measured is the pool, not their start
    // The pool tells a lone check from a stream by the gap since the previous check, read
    // from performance.now(): the test sets that clock, so the gaps are exactly 40 ms and
    // 1 ms however long a busy machine takes between the steps (real timers stay real:
    // the threads answer as usual).
    vi.useFakeTimers({ toFake: ['performance'] })
    // one every 40 ms: each finds the pool quiet
    for (let i = 0; i < 3; i++) {
      expect(await pool.verify(cs[i] as SignatureCheck)).toBe(valid[i])
      vi.advanceTimersByTime(40)
    }
    expect(pool.stats()).toMatchObject({ inline: 3, pooled: 0 })
    // one every 1 ms: a stream, not a lone check
    for (let i = 3; i < 40; i++) {
      expect(await pool.verify(cs[i] as SignatureCheck)).toBe(valid[i])
      vi.advanceTimersByTime(1)
    }
    expect(pool.stats().pooled).toBeGreaterThanOrEqual(30)
  })

  it('starts its threads only when a burst needs them, and does not keep it waiting for them', async () => {
    const { checks: cs, valid } = await checks(59)
    pool = new VerifyPool({ threads: 2 })
    pool.start()
    expect(pool.stats().threads).toBe(0)
    // a lone check on a quiet node: in-thread, still no thread
    expect(await pool.verify(cs[0] as SignatureCheck)).toBe(valid[0])
    expect(pool.stats()).toMatchObject({ threads: 0, inline: 1 })
    // the first burst starts both threads and is verified here while they load
    const burst = await Promise.all(cs.slice(1, 30).map((c) => pool?.verify(c)))
    expect(burst).toEqual(valid.slice(1, 30))
    expect(pool.stats()).toMatchObject({ threads: 2, inline: 30, pooled: 0 })
    await pool.warm()
    // loaded: the next burst goes to them (but its first check if it finds the pool quiet)
    const next = await Promise.all(cs.slice(30).map((c) => pool?.verify(c)))
    expect(next).toEqual(valid.slice(30))
    const after = pool.stats()
    expect(after.inline + after.pooled).toBe(59)
    expect(after.pooled).toBeGreaterThanOrEqual(28)
  })

  it('verifies in the calling thread when stopped or never started', async () => {
    const { checks: cs, valid } = await checks(6)
    pool = new VerifyPool({ threads: 1 })
    expect(await Promise.all(cs.map((c) => pool?.verify(c)))).toEqual(valid)
    expect(pool.stats()).toMatchObject({ threads: 0, inline: 6, pooled: 0 })
  })

  it('stop() rejects queued and in-flight work with a typed error, and nothing hangs', async () => {
    const { checks: cs } = await checks(200)
    pool = new VerifyPool({ threads: 1, maxBatch: 4 })
    pool.start()
    const settled = Promise.allSettled(cs.map((c) => pool?.verify(c)))
    await pool.stop()
    const outcomes = await settled
    const rejected = outcomes.filter((o) => o.status === 'rejected')
    expect(rejected.length).toBeGreaterThan(150)
    for (const r of rejected)
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(VerifyPoolStoppedError)
    expect(pool.stats()).toMatchObject({ threads: 0, queued: 0, inFlight: 0 })
  })

  it('replaces a thread that dies; its batch is still answered correctly', async () => {
    const { checks: cs, valid } = await checks(60)
    const poison: SignatureCheck = { ...(cs[0] as SignatureCheck), message: Uint8Array.of(0xee) }
    pool = new VerifyPool({
      threads: 1,
      maxBatch: 64,
      workerUrl: new URL('./crash-worker.fixtures.ts', import.meta.url),
    })
    pool.start()
    await pool.warm() // threads loaded: what is measured is the pool, not their start
    // queued in one task: one batch, poison included
    const withPoison = [...cs.map((c) => pool?.verify(c)), pool.verify(poison)]
    expect(await Promise.all(withPoison)).toEqual([...valid, false])
    // the batch with the poison killed the thread: replaced, and the new one works
    await vi.waitFor(() => expect(pool?.stats().replaced).not.toBe(0), {
      timeout: 10_000,
      interval: 10,
    })
    expect(pool.stats()).toMatchObject({ replaced: 1, threads: 1 })
    const again = await Promise.all(cs.map((c) => pool?.verify(c)))
    expect(again).toEqual(valid)
  })

  it('checks received contributions on the threads: the answers of the same checks made in place', async () => {
    const params = resolveParams({ network: 'pooltest' })
    const key = await generateKeyPair('Ed25519')
    const origin = originOf(peerIdFromPrivateKey(key))
    const epoch = Math.floor(Date.now() / params.epochMs)
    const messages: Uint8Array[] = []
    for (let seq = 1; seq <= 40; seq++) {
      const c = await signContribution(key, {
        network: params.network,
        origin,
        seq,
        epoch,
        timestampMs: epoch * params.epochMs,
        bitLength: 256,
        bits: new Uint8Array(randomBytes(32)),
      })
      const bytes = encodeContribution(c)
      if (seq % 4 === 0) bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 1 // forged
      if (seq % 10 === 5) bytes[0] = 0xff // does not decode
      messages.push(bytes)
    }
    pool = new VerifyPool({ threads: 2, maxBatch: 8, params })
    pool.start()
    await pool.warm()
    // every other one not to be verified (a stranger's, say): inspected, signature unchecked
    const pooled = await Promise.all(
      messages.map((m, i) => pool?.checkContribution(m, i % 2 === 1, 'peer')),
    )
    const here = messages.map((m, i) => checkContributionHere(m, params, i % 2 === 1))
    const summary = (checks: typeof here) =>
      checks.map(({ inspection, signature }) =>
        inspection.verdict === 'inspected'
          ? `${inspection.contribution.idHex} ${(inspection.originRefusal() ?? inspection.healthRefusal())?.reason} ${signature}`
          : `${inspection.verdict} ${inspection.reason} ${signature}`,
      )
    expect(summary(pooled as typeof here)).toEqual(summary(here))
    expect(summary(here).filter((s) => s.endsWith(' false'))).toHaveLength(10) // forged, verified
    expect(pool.stats().pooled).toBeGreaterThanOrEqual(39)
  })

  it('a pool without the network parameters refuses contribution jobs', async () => {
    pool = new VerifyPool({ threads: 1 })
    await expect(pool.checkContribution(Uint8Array.of(1), true)).rejects.toBeInstanceOf(TypeError)
  })
})
