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
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Two cores: run the daemon-heavy files one at a time so timing stays honest.
          fileParallelism: false,
        },
      },
    ],
  },
})
