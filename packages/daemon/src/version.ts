import { readFileSync } from 'node:fs'

/** Reported by `alara id` and the API: the package's version, read beside src/ and dist/. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
).version
