import { G } from './group.js'
import { evaluateTimelock, type TimelockOptions, verifyTimelock } from './timelock.js'

/**
 * h = g^(2^T), the time-locked generator the output is raised to (Y = |h^A · y|), with its
 * Wesolowski proof so that a node checks it at start in milliseconds instead of T
 * squarings. The default T's ships in timelock-default.ts.
 */

export interface TimelockGenerator {
  T: number
  /** |g^(2^T)| */
  h: bigint
  /** Wesolowski's proof of h */
  proof: bigint
}

/** Computes h for T by T squarings (~1 min at T = 2^24): once per network, at init. */
export async function computeTimelockGenerator(
  T: number,
  options: TimelockOptions = {},
): Promise<TimelockGenerator> {
  const { y, proof } = await evaluateTimelock(G, T, options)
  return { T, h: y, proof }
}

/** True when h = |g^(2^T)| as its proof attests. */
export function verifyTimelockGenerator(generator: TimelockGenerator): boolean {
  return verifyTimelock(G, generator.T, generator.h, generator.proof)
}
