import type { TimelockGenerator } from './generator.js'

/**
 * h = g^(2^T) and its Wesolowski proof for the default T = 2^24, computed once by
 * src/bench/timelock-generator.ts and checked by the verifier (tests, and a node at start).
 */
export const DEFAULT_TIMELOCK_SQUARINGS = 2 ** 24

/**
 * Below 264 squarings ⌊2^T/p⌋ = 0 and π = 1, which no element decodes to: a network's
 * timelockSquarings must be at least this.
 */
export const MIN_TIMELOCK_SQUARINGS = 264

/** The largest timelockSquarings a network may set (~4 hours of squarings in JS). */
export const MAX_TIMELOCK_SQUARINGS = 2 ** 32

export const DEFAULT_TIMELOCK_GENERATOR: TimelockGenerator = {
  T: DEFAULT_TIMELOCK_SQUARINGS,
  h: BigInt(
    '0x' +
      '192a4fa390debcef70fef6337d8d5c96860c24054f1df1d2a80bcfcdffae1fd7' +
      '81f6e7ef8750f7480b6141510cbd85c829c363b9c7495c859cae404f555e45b2' +
      'd0bba1b292ec79dd27b08165ac896235d03950253e9373f083bc061bfed6a25f' +
      '88737c551d6c6fa4066922b2cdf87db9bb655049af2a67ebc00a65b4be3f2821' +
      'd804fe003379e999cbd0b88a4b2f91a18d9b344c52546edb92dd0f1485114fe9' +
      '6413f24d53ac2d32d0df175a1c00b938e89a9fbe8f44e428ef9f76582c04339f' +
      'd36df0665691a0519bfa7e17f283f402aadecd15852aef8af835e5a429c12f76' +
      'b4840466bd20e73370a71ff7b369f8c9e3fe30cda46d9e67736f7386dea3bfee',
  ),
  proof: BigInt(
    '0x' +
      '4d255ef06757f2be42ef12e64c974014e88770b794087dfaae3cc340a9b36904' +
      'cef87bf5667d04b3a5cf24e4e2a5e86ced69cea192944370783b433d0bec14de' +
      'eb479ede4bc99486b6c3e8e9d749fdb5b1dc3bb0057ccb08882ccc7b773a226c' +
      'a09621beae5c60b5f730f12d280e6b6552e4a3f224d4892b3538beef9d472cb8' +
      '48a84c03d33037dc70d4626b05a9e313a8aae323ca6a09aeb07347f39b5ae082' +
      '25a45f695771d8b1cf521fec4b47870035a916c145e3bb1371f6acf54a902ad8' +
      'b9fb5fa3a0683f2cb207d1089e4dad8d48c190ae56248b261403e46ff67a3a10' +
      '6da8ac6d4e14475f7366793d3ede76fbf7991f1d8ed8d2183721ca4daf68d44a',
  ),
}
