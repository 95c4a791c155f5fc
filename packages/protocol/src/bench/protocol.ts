import { createPublicKey, type KeyObject, randomBytes, verify } from 'node:crypto'
import { cpus } from 'node:os'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { resolveParams } from '../config.js'
import { healthTest } from '../health.js'
import { Replica } from '../replica/index.js'
import { contributionSigningBytes, originOf, signContribution, toHex } from '../signing.js'
import type { VerifiedContribution } from '../types.js'
import { type ValidationContext, validateContribution } from '../validate.js'
import { encodeContribution } from '../wire/codec.js'

/**
 * Protocol benchmark (scripts/bench-protocol): how close the receive path
 * (validateContribution + Replica.add) gets to the Ed25519 verification ceiling, on one
 * core. The stages run interleaved chunk by chunk over the same distinct, valid
 * contributions, so each pair of figures is taken under the same background load (a
 * shared machine otherwise moves the ratio more than the code does); medians of the
 * per-chunk figures are reported.
 */

const ORIGINS = 32
const PER_EPOCH = 64 * ORIGINS // maxPerEpoch for every origin: nothing hits the quota
const MESSAGES = PER_EPOCH
const CHUNK = 128
const ROUNDS = 2
const WARMUP = 256
const SIZES = [256, 8192]

const params = resolveParams({ network: 'bench' })
const baseEpoch = 352_840_320
const nowMs = (baseEpoch + 2) * params.epochMs + 100

interface Message {
  encoded: Uint8Array
  signingBytes: Uint8Array
  signature: Uint8Array
  key: number
}

/** Random bits that pass the health tests (a failure is a 2^-40-per-bit false alarm). */
function healthyBits(bitLength: number): Uint8Array {
  for (;;) {
    const bits = new Uint8Array(randomBytes(Math.ceil(bitLength / 8)))
    const spare = bits.length * 8 - bitLength
    if (spare > 0) bits[bits.length - 1] = (bits[bits.length - 1] as number) & (0xff << spare)
    const health = healthTest(bits, bitLength)
    if (health.rct === 'pass' && health.apt === 'pass') return bits
  }
}

async function workload(
  keys: Ed25519PrivateKey[],
  bitLength: number,
  count: number,
  epoch: number,
): Promise<Message[]> {
  const out: Message[] = []
  for (let i = 0; i < count; i++) {
    const k = i % keys.length
    const key = keys[k] as Ed25519PrivateKey
    const c = await signContribution(key, {
      network: params.network,
      origin: originOf(peerIdFromPrivateKey(key)),
      seq: i + 1,
      epoch: epoch + Math.floor(i / PER_EPOCH),
      timestampMs: (epoch + Math.floor(i / PER_EPOCH)) * params.epochMs + (i % params.epochMs),
      bitLength,
      bits: healthyBits(bitLength),
    })
    out.push({
      encoded: encodeContribution(c),
      signingBytes: contributionSigningBytes(c),
      signature: c.signature,
      key: k,
    })
  }
  return out
}

/** Seconds taken by `run`. */
function seconds(run: () => void): number {
  const start = process.hrtime.bigint()
  run()
  return Number(process.hrtime.bigint() - start) / 1e9
}

function contextFor(replica: Replica | undefined): ValidationContext {
  return {
    params,
    nowMs,
    seen: (idHex) => replica?.has(idHex) ?? false,
    countFor: (originHex, epoch) => replica?.storedCountOf(originHex, epoch) ?? 0,
    isClosed: () => false,
    isFinal: (epoch) => replica?.isFinal(epoch) ?? false,
  }
}

interface Stages {
  nodeVerify(chunk: Message[]): void
  libp2pVerify(chunk: Message[]): void
  validate(chunk: Message[]): void
  validateAndFold(chunk: Message[], replica: Replica): void
  /** The contributions of a chunk, validated untimed, for `fold`. */
  validated(chunk: Message[]): VerifiedContribution[]
  fold(contributions: VerifiedContribution[], replica: Replica): void
}

function stages(keys: Ed25519PrivateKey[], keyObjects: KeyObject[]): Stages {
  const bare = contextFor(undefined)
  return {
    nodeVerify(chunk) {
      for (const m of chunk)
        if (!verify(null, m.signingBytes, keyObjects[m.key] as KeyObject, m.signature))
          throw new Error('a benchmark signature does not verify')
    },
    libp2pVerify(chunk) {
      for (const m of chunk)
        if (
          (keys[m.key] as Ed25519PrivateKey).publicKey.verify(m.signingBytes, m.signature) !== true
        )
          throw new Error('a benchmark signature does not verify with libp2p')
    },
    validate(chunk) {
      for (const m of chunk) {
        const result = validateContribution(m.encoded, bare)
        if (result.verdict !== 'accept') throw new Error(`${result.reason}: ${result.message}`)
      }
    },
    validateAndFold(chunk, replica) {
      const ctx = contextFor(replica)
      for (const m of chunk) {
        const result = validateContribution(m.encoded, ctx)
        if (result.verdict !== 'accept') throw new Error(`${result.reason}: ${result.message}`)
        if (replica.add(result.contribution) !== 'added') throw new Error('replica refused')
      }
    },
    validated(chunk) {
      return chunk.map((m) => {
        const result = validateContribution(m.encoded, bare)
        if (result.verdict !== 'accept') throw new Error(`${result.reason}: ${result.message}`)
        return result.contribution
      })
    },
    fold(contributions, replica) {
      for (const c of contributions)
        if (replica.add(c) !== 'added') throw new Error('replica refused')
    },
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

interface Row {
  verify: number
  libp2p: number
  validate: number
  add: number
  fold: number
  ratio: number
}

function measure(s: Stages, messages: Message[], selfHex: string, rounds: number): Row {
  const t = { verify: [] as number[], libp2p: [] as number[], validate: [] as number[] }
  const add: number[] = []
  const fold: number[] = []
  const ratio: number[] = []
  for (let round = 0; round < rounds; round++) {
    const replica = new Replica({ params, selfHex })
    const addOnly = new Replica({ params, selfHex })
    for (let at = 0; at < messages.length; at += CHUNK) {
      const chunk = messages.slice(at, at + CHUNK)
      const v = seconds(() => s.nodeVerify(chunk))
      // libp2p's verify is context, not the target: one round of it is enough
      if (round === 0) t.libp2p.push(chunk.length / seconds(() => s.libp2pVerify(chunk)))
      const a = seconds(() => s.validate(chunk))
      const f = seconds(() => s.validateAndFold(chunk, replica))
      const contributions = s.validated(chunk)
      add.push(chunk.length / seconds(() => s.fold(contributions, addOnly)))
      t.verify.push(chunk.length / v)
      t.validate.push(chunk.length / a)
      fold.push(chunk.length / f)
      ratio.push(v / f)
    }
  }
  return {
    verify: median(t.verify),
    libp2p: median(t.libp2p),
    validate: median(t.validate),
    add: median(add),
    fold: median(fold),
    ratio: median(ratio),
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')

async function main(): Promise<void> {
  const keys: Ed25519PrivateKey[] = []
  for (let i = 0; i < ORIGINS; i++) keys.push(await generateKeyPair('Ed25519'))
  const keyObjects = keys.map((k) =>
    createPublicKey({
      format: 'jwk',
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(k.publicKey.raw).toString('base64url') },
    }),
  )
  const self = await generateKeyPair('Ed25519')
  const selfHex = toHex(originOf(peerIdFromPrivateKey(self)))
  const s = stages(keys, keyObjects)

  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  console.log(`# ALARA protocol benchmark: Node ${process.versions.node}, ${cpu}, one core`)
  console.log(
    `# ${MESSAGES} distinct contributions per size from ${ORIGINS} origins, ${ROUNDS} rounds, ` +
      `chunks of ${CHUNK}; contributions per second (median over chunks)`,
  )
  console.log('')
  console.log(
    '| payload | node:crypto verify | libp2p verify | validate | Replica.add alone | validate + fold | ratio |',
  )
  console.log('|---|---:|---:|---:|---:|---:|---:|')
  for (const bitLength of SIZES) {
    const warm = await workload(keys, bitLength, WARMUP, baseEpoch - 10)
    const messages = await workload(keys, bitLength, MESSAGES, baseEpoch)
    measure(s, warm, selfHex, 1)
    const row = measure(s, messages, selfHex, ROUNDS)
    const size = `${bitLength} bits (${(messages[0] as Message).encoded.length} B)`
    console.log(
      `| ${size} | ${fmt(row.verify)} | ${fmt(row.libp2p)} | ${fmt(row.validate)} | ${fmt(row.add)} | ${fmt(row.fold)} | ${row.ratio.toFixed(2)} |`,
    )
  }
  console.log('')
  console.log('ratio = median over chunks of (validate + fold) / node:crypto verify; target >= 0.8')
}

await main()
