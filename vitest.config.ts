import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
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
          // bounded, and generous: a busy two-core machine slows every step many times over
          testTimeout: 600_000,
          hookTimeout: 180_000,
          // Two files at a time, after the unit tests (groupOrder 1): a multi-daemon file
          // mostly waits on the clock (epochs closing, becoming final), about a fifth of
          // two cores busy on average, so a second file fills the idle time; more than two
          // would crowd the files that measure time (flood reach, short epochs).
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
