#!/usr/bin/env -S node --max-semi-space-size=4
import { enableCompileCache } from 'node:module'

// Node's on-disk cache of compiled modules (in the OS temp directory): every run after the
// first skips compiling the CLI and its dependencies. Enabled before anything else loads,
// hence the dynamic imports below.
enableCompileCache?.()

const [{ run }, { processIo }] = await Promise.all([import('./cli.js'), import('./io.js')])

// `alara pool --json | head -1`: a closed pipe is the reader's choice, not a failure
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw err
})

// exitCode rather than process.exit: stdout (e.g. `random --format raw` into a pipe) drains first
process.exitCode = await run(process.argv.slice(2), processIo())
