import { decodeElement } from '@alara/protocol/beacon'
import { equals as bytesEqual } from 'uint8arrays/equals'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { VerifyError } from './errors.js'
import { fromHex } from './hex.js'

/**
 * The checks every message of a public answer goes through before its content counts:
 * one canonical encoding, the expected network and epoch, an Ed25519 origin, and its
 * signature by WebCrypto (Node 22 and browsers alike).
 */

/** An Ed25519 peer id is an identity multihash of the libp2p PublicKey protobuf. */
const ED25519_ORIGIN_PREFIX = Uint8Array.of(0x00, 0x24, 0x08, 0x01, 0x12, 0x20)

/** A message from lowercase hex, in its one canonical encoding. */
export function canonical<M>(
  hex: string,
  what: string,
  decode: (bytes: Uint8Array) => M,
  encode: (m: M) => Uint8Array,
): M {
  const bytes = fromHex(hex)
  if (bytes === undefined) throw new VerifyError(`${what} is not lowercase hex`)
  let m: M
  try {
    m = decode(bytes)
  } catch (err) {
    throw new VerifyError(`${what}: ${(err as Error).message}`, { cause: err })
  }
  // one accepted encoding per message: a padded or re-ordered copy is another message
  if (!bytesEqual(encode(m), bytes)) throw new VerifyError(`${what} is not canonically encoded`)
  return m
}

/** A signed message of the expected network and epoch with an Ed25519 origin (signature unchecked). */
export function signed<
  M extends { network: string; epoch: number; origin: Uint8Array; signature: Uint8Array },
>(
  hex: string,
  what: string,
  ctx: { network: string; epoch: number },
  decode: (bytes: Uint8Array) => M,
  encode: (m: M) => Uint8Array,
): M {
  const m = canonical(hex, what, decode, encode)
  if (m.network !== ctx.network)
    throw new VerifyError(`${what} is of network '${m.network}', not '${ctx.network}'`)
  if (m.epoch !== ctx.epoch)
    throw new VerifyError(`${what} is of epoch ${m.epoch}, not ${ctx.epoch}`)
  if (
    m.origin.length !== ED25519_ORIGIN_PREFIX.length + 32 ||
    !bytesEqual(m.origin.subarray(0, ED25519_ORIGIN_PREFIX.length), ED25519_ORIGIN_PREFIX)
  )
    throw new VerifyError(`${what}: the origin is not an Ed25519 peer id`)
  if (m.signature.length !== 64) throw new VerifyError(`${what}: an Ed25519 signature is 64 bytes`)
  return m
}

/** A group element from hex (256 bytes, canonical): VerifyError otherwise. */
export function element(hex: unknown, what: string): bigint {
  const bytes = typeof hex === 'string' ? fromHex(hex) : undefined
  if (bytes === undefined) throw new VerifyError(`${what} is not lowercase hex`)
  try {
    return decodeElement(bytes, what)
  } catch (err) {
    throw new VerifyError((err as Error).message, { cause: err })
  }
}

/** The peer id string of an Ed25519 origin (base58btc of its identity multihash). */
export function peerIdOf(origin: Uint8Array): string {
  return uint8ArrayToString(origin, 'base58btc')
}

export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
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

/** The Ed25519 signature of `message` by the key of `origin` (an Ed25519 peer id). */
export async function verifyEd25519(
  origin: Uint8Array,
  signature: Uint8Array,
  message: Uint8Array,
): Promise<boolean> {
  const rawKey = origin.subarray(ED25519_ORIGIN_PREFIX.length)
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
