/**
 * The shared beacon, version 2 (commit, reveal, recover), pure: the group Z_N^* / {±1} of the
 * RSA-2048 modulus, commits and their digest and weights, reveals, the time-lock with
 * Wesolowski's proof, recoveries, the output Ω_r, and the signing bytes of its messages.
 * The group's short internal names (N, G, abs, enc, …) leave the package spelled out.
 */
export * from './commits.js'
export * from './generator.js'
export {
  abs as groupAbs,
  decodeElement,
  ELEMENT_BYTES,
  enc as encodeElement,
  G as GROUP_GENERATOR,
  GID,
  invN as groupInverse,
  isElement,
  mulN as groupMul,
  multiPowN as groupMultiPow,
  N as GROUP_MODULUS,
  powN as groupPow,
} from './group.js'
export * from './hash-prime.js'
export * from './held-commits.js'
export * from './messages.js'
export * from './output.js'
export * from './reveals.js'
export * from './timelock.js'
export * from './timelock-default.js'
export { type ProofParameters, proofParameters } from './wesolowski.js'
