/**
 * Pool statistics: Shannon entropy per bit (the original's quality metric), the
 * SP 800-22 rev1a subset, and the special functions behind their p-values. Inputs are
 * unpacked bits (one 0|1 per element). MCV min-entropy and the SP 800-90B health tests
 * live in ../health.ts.
 */

export { shannonEntropyFromCounts, shannonEntropyPerBit } from './shannon.js'
export {
  type CumulativeSumsResult,
  type CusumMode,
  cumulativeSumsTest,
} from './sp800-22/cusum.js'
export {
  type BlockFrequencyResult,
  blockFrequencyBlockLength,
  blockFrequencyTest,
  type FrequencyResult,
  frequencyTest,
} from './sp800-22/frequency.js'
export {
  type ApproximateEntropyResult,
  approximateEntropyBlockLength,
  approximateEntropyTest,
  type SerialResult,
  serialBlockLength,
  serialTest,
} from './sp800-22/patterns.js'
export {
  LONGEST_RUN_MIN_BITS,
  LONGEST_RUN_TABLES,
  type LongestRunResult,
  type LongestRunTable,
  longestRunOfOnesTest,
  type RunsResult,
  runsTest,
} from './sp800-22/runs.js'
export {
  runSp80022,
  SP800_22_MIN_BITS,
  SP800_22_TESTS,
  type Sp80022TestName,
  type StatTestResult,
} from './sp800-22/suite.js'
export { erfc, igam, igamc, lnGamma, normalCdf } from './special.js'
