import { writeFileSync } from 'node:fs'
import { computeTimelockGenerator, verifyTimelockGenerator } from '../beacon/generator.js'
import { enc } from '../beacon/group.js'
import { toHex } from '../signing.js'

/**
 * Writes src/beacon/timelock-default.ts: h = g^(2^T) and its proof for the default T, by
 * T squarings (~1 min at 2^24). Run once when the default changes:
 *   pnpm exec tsc -p packages/protocol/tsconfig.bench.json &&
 *   node packages/protocol/bench-dist/bench/timelock-generator.js [T]
 */

const T = Number(process.argv[2] ?? 2 ** 24)
const started = performance.now()
const generator = await computeTimelockGenerator(T, {
  onProgress: ({ phase, done, total }) => {
    if (done === total || done % (1 << 20) === 0)
      process.stderr.write(
        `${phase} ${done}/${total} ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      )
  },
})
if (!verifyTimelockGenerator(generator)) throw new Error('the proof just made does not verify')
const lines = (hex: string): string =>
  (hex.match(/.{1,64}/g) ?? []).map((part) => `      '${part}'`).join(' +\n')
const source = `import type { TimelockGenerator } from './generator.js'

/**
 * h = g^(2^T) and its Wesolowski proof for the default T = 2^24, computed once by
 * src/bench/timelock-generator.ts and checked by the verifier (tests, and a node at start).
 */
export const DEFAULT_TIMELOCK_SQUARINGS = ${T === 2 ** 24 ? '2 ** 24' : T}

export const DEFAULT_TIMELOCK_GENERATOR: TimelockGenerator = {
  T: DEFAULT_TIMELOCK_SQUARINGS,
  h: BigInt(
    '0x' +
${lines(toHex(enc(generator.h)))},
  ),
  proof: BigInt(
    '0x' +
${lines(toHex(enc(generator.proof)))},
  ),
}
`
writeFileSync(new URL('../../src/beacon/timelock-default.ts', import.meta.url), source)
process.stderr.write(`T ${T}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
