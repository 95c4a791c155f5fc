#!/usr/bin/env node
import { run } from './cli.js'
import { processIo } from './io.js'

// exitCode rather than process.exit: stdout (e.g. `random --format raw` into a pipe) drains first
process.exitCode = await run(process.argv.slice(2), processIo())
