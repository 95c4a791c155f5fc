#!/usr/bin/env node
import { run } from './cli.js'
import { processIo } from './io.js'

// `alara pool --json | head -1`: a closed pipe is the reader's choice, not a failure
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw err
})

// exitCode rather than process.exit: stdout (e.g. `random --format raw` into a pipe) drains first
process.exitCode = await run(process.argv.slice(2), processIo())
