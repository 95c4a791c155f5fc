import { defineConfig } from 'vitest/config'

/** Long soaks, run by scripts/soak-* only (never by the suite). */
export default defineConfig({
  test: {
    include: ['test/soak/**/*.soak.ts'],
    testTimeout: 900_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
})
