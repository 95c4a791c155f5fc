import {
  type Contribution,
  decodeContribution,
  domain,
  encodeContribution,
  LayoutWriter,
  strBytes,
} from '@alara/protocol/wire'
import { compare as compareBytes } from 'uint8arrays/compare'
import { equals as bytesEqual } from 'uint8arrays/equals'
import { VerifyError } from './errors.js'
import { fromHex, toHex } from './hex.js'

/**
 * Checks a public beacon answer the way DESIGN.md defines it, trusting nothing of the
 * server but the bytes of the signed contributions: each one decoded canonically (decode
 * then encode gives the same bytes), of the expected network and epoch, signed by its
 * origin's Ed25519 key; ids (SHA-256 of the signing bytes) strictly ascending; the epoch
 * digest and the beacon recomputed and compared. Hashing and signatures use WebCrypto, so
 * this runs unchanged in Node 22 and in browsers.
 */

/** The JSON of `GET /public/{epoch}` as a server sends it (unchecked). */
export interface BeaconAnswer {
  epoch: number
  beacon: string
  digest: string
  count: number
  contributions: string[]
}

/** A beacon that has been verified: every field recomputed from the signed contributions. */
export interface VerifiedBeacon {
  network: string
  epoch: number
  /** lowercase hex */
  beacon: string
  digest: string
  count: number
  /** contribution ids (hex), ascending */
  ids: string[]
  /** the signed contributions, decoded, in id order */
  contributions: Contribution[]
}

export interface Expected {
  network: string
  /** the epoch asked for; absent for `latest` */
  epoch?: number
}

const CONTRIBUTION_PREFIX = domain('alara/v1/contribution')
const EPOCH_PREFIX = domain('alara/v1/epoch')
const BEACON_PREFIX = domain('alara/v1/beacon')
/** An Ed25519 peer id is an identity multihash of the libp2p PublicKey protobuf. */
const ED25519_ORIGIN_PREFIX = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20)

export async function verifyBeaconAnswer(
  answer: unknown,
  expected: Expected,
): Promise<VerifiedBeacon> {
  const a = checkShape(answer)
  if (expected.epoch !== undefined && a.epoch !== expected.epoch)
    throw new VerifyError(`asked for epoch ${expected.epoch}, got epoch ${a.epoch}`)
  if (a.count !== a.contributions.length)
    throw new VerifyError(`count is ${a.count} but ${a.contributions.length} contributions came`)
  if (a.count === 0) throw new VerifyError(`epoch ${a.epoch} has no contribution, so no beacon`)

  const network = strBytes(expected.network)
  const contributions: Contribution[] = []
  const ids: Uint8Array[] = []
  for (const [i, hex] of a.contributions.entries()) {
    const c = await checkContribution(hex, i, expected.network, a.epoch)
    const message = signingBytes(c, network)
    const id = await sha256(message)
    const rawKey = c.origin.subarray(ED25519_ORIGIN_PREFIX.length)
    if (!(await verifyEd25519(rawKey, c.signature, message)))
      throw new VerifyError(`contribution ${i} (${toHex(id)}): the signature does not verify`)
    const before = ids[ids.length - 1]
    if (before !== undefined && compareBytes(before, id) >= 0)
      throw new VerifyError(`contribution ${i} (${toHex(id)}) is out of id order or repeated`)
    ids.push(id)
    contributions.push(c)
  }

  const digest = await sha256(
    join([EPOCH_PREFIX, head(network, a.epoch, 4).u32(ids.length, 'count').bytes, ...ids]),
  )
  if (toHex(digest) !== a.digest)
    throw new VerifyError(`epoch ${a.epoch}: the digest does not match the contributions`)
  const beacon = await sha256(
    join([
      BEACON_PREFIX,
      head(network, a.epoch, 0).bytes,
      digest,
      ...contributions.map((c) => c.bits),
    ]),
  )
  if (toHex(beacon) !== a.beacon)
    throw new VerifyError(`epoch ${a.epoch}: the beacon does not match the contributions`)
  return {
    network: expected.network,
    epoch: a.epoch,
    beacon: a.beacon,
    digest: a.digest,
    count: a.count,
    ids: ids.map(toHex),
    contributions,
  }
}

function checkShape(answer: unknown): BeaconAnswer {
  const a = answer as Partial<BeaconAnswer> | null
  const hex32 = (v: unknown): boolean => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)
  if (
    typeof a !== 'object' ||
    a === null ||
    !Number.isSafeInteger(a.epoch) ||
    (a.epoch as number) < 0 ||
    !hex32(a.beacon) ||
    !hex32(a.digest) ||
    !Number.isSafeInteger(a.count) ||
    !Array.isArray(a.contributions) ||
    !a.contributions.every((c) => typeof c === 'string')
  )
    throw new VerifyError(
      'the answer is not a beacon document { epoch, beacon, digest, count, contributions }',
    )
  return a as BeaconAnswer
}

async function checkContribution(
  hex: string,
  i: number,
  network: string,
  epoch: number,
): Promise<Contribution> {
  const bytes = fromHex(hex)
  if (bytes === undefined) throw new VerifyError(`contribution ${i} is not lowercase hex`)
  let c: Contribution
  try {
    c = decodeContribution(bytes)
  } catch (err) {
    throw new VerifyError(`contribution ${i}: ${(err as Error).message}`, { cause: err })
  }
  // one accepted encoding per message: a padded or re-ordered copy is another message
  if (!bytesEqual(encodeContribution(c), bytes))
    throw new VerifyError(`contribution ${i} is not canonically encoded`)
  if (c.network !== network)
    throw new VerifyError(`contribution ${i} is of network '${c.network}', not '${network}'`)
  if (c.epoch !== epoch)
    throw new VerifyError(`contribution ${i} is of epoch ${c.epoch}, not ${epoch}`)
  if (
    c.origin.length !== ED25519_ORIGIN_PREFIX.length + 32 ||
    !bytesEqual(c.origin.subarray(0, ED25519_ORIGIN_PREFIX.length), ED25519_ORIGIN_PREFIX)
  )
    throw new VerifyError(`contribution ${i}: the origin is not an Ed25519 peer id`)
  if (c.signature.length !== 64)
    throw new VerifyError(`contribution ${i}: an Ed25519 signature is 64 bytes`)
  return c
}

/** `"alara/v1/contribution" 0x00 | str network | b origin | u64 seq | u64 epoch | u64 timestamp_ms | u32 bit_length | b bits` */
function signingBytes(c: Contribution, network: Uint8Array): Uint8Array {
  const size = CONTRIBUTION_PREFIX.length + 2 + network.length + 4 + c.origin.length
  return new LayoutWriter(size + 8 * 3 + 4 + 4 + c.bits.length)
    .raw(CONTRIBUTION_PREFIX)
    .str(network)
    .b(c.origin)
    .u64(c.seq, 'seq')
    .u64(c.epoch, 'epoch')
    .u64(c.timestampMs, 'timestampMs')
    .u32(c.bitLength, 'bitLength')
    .b(c.bits).bytes
}

function head(network: Uint8Array, epoch: number, trailing: number): LayoutWriter {
  return new LayoutWriter(2 + network.length + 8 + trailing).str(network).u64(epoch, 'epoch')
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

type Subtle = typeof globalThis.crypto.subtle

function subtle(): Subtle {
  const s = globalThis.crypto?.subtle
  if (s === undefined)
    throw new VerifyError(
      'WebCrypto (crypto.subtle) is not available here: a secure context is needed',
    )
  return s
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
}

async function verifyEd25519(
  rawKey: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
): Promise<boolean> {
  let key: Awaited<ReturnType<Subtle['importKey']>>
  try {
    key = await subtle().importKey(
      'raw',
      rawKey as Uint8Array<ArrayBuffer>,
      { name: 'Ed25519' },
      false,
      ['verify'],
    )
  } catch (err) {
    throw new VerifyError(`an origin key is not a valid Ed25519 key: ${(err as Error).message}`, {
      cause: err,
    })
  }
  return subtle().verify(
    { name: 'Ed25519' },
    key,
    signature as Uint8Array<ArrayBuffer>,
    message as Uint8Array<ArrayBuffer>,
  )
}
