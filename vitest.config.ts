import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/**
 * The multi-daemon files that take longest, longest first (roughly, seconds on a quiet
 * two-core machine). With two files at a time, one of these starting last would run alone
 * at the end; vitest orders by the last run's durations, but a fresh clone has none and
 * falls back to file size, which would start a long file near the end.
 */
const LONG_FIRST = [
  'restart-phases', // ~85
  'nat-netns', // ~75 (root only)
  'repair', // ~60
  'beacon-v2', // ~55
  'sync-bounds', // ~50
  'merge', // ~42
  'sybil', // ~30
  'consensus', // ~30
  'connect', // ~29
  'trust', // ~25
  'closed', // ~23
  'trust-split', // ~20
  'kill-loop', // ~18
  'admission-attack', // ~18
]

/**
 * Run last and alone (project e2e-solo): its assertion is about time (250 ms epochs).
 * restart-phases times its restarts but asserts agreement within a bound, and merge's
 * timing holds by construction (final at end + 15 s, rounds of 2 s): both run in the pool.
 */
const SOLO = ['short-epochs']

class LongFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = LONG_FIRST.findIndex((name) => f.moduleId.endsWith(`/test/${name}.test.ts`))
      return i < 0 ? LONG_FIRST.length : i
    }
    const order = (f: TestSpecification): number => f.project.config.sequence.groupOrder
    // stable: the unit group first, and vitest's own order among the files not listed
    return (await super.sort(files)).sort((a, b) => order(a) - order(b) || rank(a) - rank(b))
  }
}

export default defineConfig({
  test: {
    sequence: { sequencer: LongFirst },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          testTimeout: 20_000,
          // every core (vitest's default leaves one idle: 45 s -> 27 s on two cores)
          maxWorkers: '100%',
        },
      },
      {
        // Multi-daemon tests: real processes on loopback, driven through the CLI.
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          exclude: SOLO.map((name) => `test/${name}.test.ts`),
          // bounded, and generous: a busy two-core machine slows every step many times over
          testTimeout: 600_000,
          hookTimeout: 180_000,
          // Two files at a time, after the unit tests (groupOrder 1): a multi-daemon file
          // mostly waits on the clock (epochs closing, becoming final), about a fifth of
          // two cores busy on average, so a second file fills the idle time; more than two
          // would crowd the files that measure time (flood reach, short epochs).
          // ALARA_E2E_FILES=1 runs them one at a time (to tell a load flake from a bug).
          maxWorkers: Number(process.env.ALARA_E2E_FILES ?? 2),
          sequence: { groupOrder: 1 },
        },
      },
      {
        // The file whose assertion is about time (250 ms epochs agreeing): last, on a
        // machine no other test file shares. Beside another multi-daemon file it lost
        // epochs on two cores (98 of 100 at 250 ms; alone, 100 of 100).
        test: {
          name: 'e2e-solo',
          include: SOLO.map((name) => `test/${name}.test.ts`),
          testTimeout: 600_000,
          hookTimeout: 180_000,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
})
