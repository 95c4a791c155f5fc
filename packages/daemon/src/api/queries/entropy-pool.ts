import {
  bitString,
  fromHex,
  mcvMinEntropyPerBitUnpacked,
  peerIdFromOrigin,
  runSp80022,
  shannonEntropyPerBit,
  toHex,
  unpackBits,
} from '@alara/protocol'
import type { AlaraComponents } from '../../components.js'
import type { PoolResponse, QualityResponse, TestsResponse } from '../types.js'
import { voteStatsByOrigin } from './consensus.js'

/** The pool and what is known of its quality (statistics, per-origin figures, tests). */

/** Significance level of the SP 800-22 tests (STATISTICS.md). */
const ALPHA = 0.01

export function pool(c: AlaraComponents, bits?: number): PoolResponse {
  const pool = c.state.replica.poolBits(bits)
  const full = c.state.replica.poolBits()
  return {
    network: c.params.network,
    bits: bitString(pool.bits, pool.bitLength),
    bitLength: full.bitLength,
    folded: c.state.replica.foldedTotal,
    stored: c.state.replica.storedTotal,
    digest: toHex(c.state.replica.poolDigest()),
    creditBits: c.state.replica.creditBits,
    ready: c.state.replica.ready,
  }
}

export function quality(c: AlaraComponents): QualityResponse {
  const pool = c.state.replica.poolBits()
  const unpacked = unpackBits(pool.bits, pool.bitLength)
  const votes = voteStatsByOrigin(c)
  const voteFigures = (originHex: string) => {
    const v = votes.get(originHex)
    return {
      epochsVoted: v?.voted ?? 0,
      epochsAgreed: v?.agreed ?? 0,
      lastVoteEpoch: v?.last ?? null,
    }
  }
  const origins: QualityResponse['origins'] = c.state.replica.allOriginStats().map((s) => ({
    peerId: peerIdFromOrigin(fromHex(s.originHex)).toString(),
    trust: s.trust,
    active: s.active,
    contributions: s.contributions,
    bits: s.bits,
    healthFailures: c.state.healthFailures.get(s.originHex) ?? 0,
    lastSeenMs: s.lastSeenMs,
    creditBits: s.creditBits,
    ...voteFigures(s.originHex),
  }))
  // Origins whose every contribution failed the health tests still deserve a line.
  for (const [originHex, failures] of c.state.healthFailures) {
    if (c.state.replica.originStats(originHex) !== undefined) continue
    const level = c.trust.lookup(originHex)
    origins.push({
      peerId: peerIdFromOrigin(fromHex(originHex)).toString(),
      trust: level.trust,
      active: level.active,
      contributions: 0,
      bits: 0,
      healthFailures: failures,
      lastSeenMs: 0,
      creditBits: 0,
      ...voteFigures(originHex),
    })
  }
  return {
    shannonPerBit: pool.bitLength === 0 ? 0 : shannonEntropyPerBit(unpacked),
    minEntropyPerBit: mcvMinEntropyPerBitUnpacked(unpacked),
    poolBits: pool.bitLength,
    creditBits: c.state.replica.creditBits,
    origins,
  }
}

export function tests(c: AlaraComponents): TestsResponse {
  const pool = c.state.replica.poolBits()
  const results = runSp80022(unpackBits(pool.bits, pool.bitLength), ALPHA)
  return {
    bits: pool.bitLength,
    alpha: ALPHA,
    tests: results.map((t) => ({
      name: t.name,
      pValue: t.pValue,
      passed: t.passed,
      ...(t.skipped !== undefined ? { note: t.skipped } : {}),
    })),
  }
}
