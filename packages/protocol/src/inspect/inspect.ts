import { isWellPacked, packedLength } from '../bits.js'
import type { ProtocolParams } from '../config.js'
import { healthTest } from '../health.js'
import { contributionSigningBytes, sha256, toHex } from '../signing.js'
import type { Contribution, VerifiedContribution } from '../types.js'
import { CONTRIBUTION_VERDICTS, type ContributionRefusal } from '../validate-reasons.js'
import { decodeWithin, keyOf, refuser } from '../verdicts.js'
import { decodeContribution } from '../wire/codec.js'

/**
 * The stateless half of a contribution's validation (docs/PROTOCOL.md, "Validation"):
 * everything that needs the bytes and the network's parameters only, not the node's state
 * or clock, so that it can run on a verify thread: size, decode and canonical re-encoding,
 * shape, epoch against timestamp, signing bytes and id, origin key, health tests.
 *
 * Two kinds of refusal come out of it, because the state checks sit in the middle of the
 * documented order: the **early** ones (TOO_LARGE … WRONG_EPOCH) precede every state check
 * and are final here; the **late** ones (BAD_ORIGIN, HEALTH_RCT, HEALTH_APT) come after
 * the state checks (a stranger's or an over-quota message is ignored, not rejected, even
 * with unhealthy bits), so they are carried to precheckInspected (validate.ts), which
 * applies them in their place: BAD_ORIGIN before STRANGER, the health tests after it.
 * Both are worked out on first asking, so that where the state refuses first (a
 * stranger's flood judged on the main thread) the health tests never run, as before the
 * split.
 */

/** The stateless checks passed up to the state checks, with the late refusals to apply after them. */
export interface InspectedContribution {
  verdict: 'inspected'
  contribution: VerifiedContribution
  /** BAD_ORIGIN: the origin is not an Ed25519 peer id (applied before STRANGER) */
  originRefusal(): ContributionRefusal | undefined
  /** HEALTH_RCT or HEALTH_APT (applied after STRANGER) */
  healthRefusal(): ContributionRefusal | undefined
  /** the signing bytes, where the inspection was made (not sent back by a verify thread) */
  signingBytes?: Uint8Array
}

export type Inspection = InspectedContribution | ContributionRefusal

/** The parameters the stateless checks read (every node of a network shares them). */
export type InspectParams = Pick<
  ProtocolParams,
  'network' | 'maxMessageBytes' | 'maxBits' | 'epochMs'
>

const refuse = refuser(CONTRIBUTION_VERDICTS)

export function inspectContribution(bytes: Uint8Array, params: InspectParams): Inspection {
  const decoded = decodeWithin(decodeContribution, bytes, params.maxMessageBytes)
  if (!('value' in decoded)) return refuse(decoded.reason, decoded.message)
  const c = decoded.value
  const shape = shapeRefusal(c, params)
  if (shape !== undefined) return shape
  const signingBytes = contributionSigningBytes(c)
  const id = sha256(signingBytes)
  const originHex = toHex(c.origin)
  return {
    verdict: 'inspected',
    contribution: { id, idHex: toHex(id), originHex, contribution: c },
    originRefusal: once(() => originRefusal(c, originHex)),
    healthRefusal: once(() => healthRefusal(c)),
    signingBytes,
  }
}

function once<T>(work: () => T): () => T {
  let done: { value: T } | undefined
  return () => {
    done ??= { value: work() }
    return done.value
  }
}

function shapeRefusal(c: Contribution, params: InspectParams): ContributionRefusal | undefined {
  if (c.network !== params.network)
    return refuse('WRONG_NETWORK', `network '${c.network}', expected '${params.network}'`)
  if (c.bitLength < 1 || c.bitLength > params.maxBits)
    return refuse('BIT_LENGTH', `bit_length ${c.bitLength} is outside 1..${params.maxBits}`)
  if (c.bits.length !== packedLength(c.bitLength))
    return refuse(
      'BITS_LENGTH',
      `${c.bitLength} bits need ${packedLength(c.bitLength)} bytes, got ${c.bits.length}`,
    )
  if (!isWellPacked(c.bits, c.bitLength))
    return refuse('BITS_PADDING', 'unused low bits of the last byte are not zero')
  const expectedEpoch = Math.floor(c.timestampMs / params.epochMs)
  if (c.epoch !== expectedEpoch)
    return refuse(
      'WRONG_EPOCH',
      `epoch ${c.epoch}, but timestamp ${c.timestampMs} is in epoch ${expectedEpoch}`,
    )
  return undefined
}

function originRefusal(c: Contribution, originHex: string): ContributionRefusal | undefined {
  const key = keyOf(c.origin, originHex)
  return typeof key === 'string' ? refuse('BAD_ORIGIN', key) : undefined
}

function healthRefusal(c: Contribution): ContributionRefusal | undefined {
  const health = healthTest(c.bits, c.bitLength)
  if (health.rct === 'fail')
    return refuse(
      'HEALTH_RCT',
      `a run of ${health.longestRun} identical bits fails the repetition count test`,
    )
  if (health.apt === 'fail')
    return refuse('HEALTH_APT', 'a 1024-bit window fails the adaptive proportion test')
  return undefined
}
