import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          testTimeout: 20_000,
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
          // Two cores: run the daemon-heavy files one at a time so timing stays honest.
          fileParallelism: false,
        },
      },
    ],
  },
})
