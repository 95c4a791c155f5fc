#!/usr/bin/env node
// Runs an older checkout's CLI ($ALARA_SOAK_WRAPPED) with these arguments, adding
// "event":"ready" to its JSON ready line (older daemons printed the object without it),
// so the current harness can wait for it. Signals are passed on; the exit code is kept.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

const bin = process.env.ALARA_SOAK_WRAPPED
const args = process.argv.slice(2)
if (bin === undefined) throw new Error('ALARA_SOAK_WRAPPED names the CLI to run')
const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
createInterface({ input: child.stdout }).on('line', (line) => {
  let out = line
  try {
    const v = JSON.parse(line)
    if (v && typeof v === 'object' && 'apiUrl' in v && !('event' in v))
      out = JSON.stringify({ event: 'ready', ...v })
  } catch {}
  process.stdout.write(`${out}\n`)
})
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGKILL' ? 137 : 1)))
