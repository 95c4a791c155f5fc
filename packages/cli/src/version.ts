import { readFileSync } from 'node:fs'

/** The package version, read beside src/ and dist/ alike (both sit one level below it). */
export const CLI_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
).version
