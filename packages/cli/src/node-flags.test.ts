import { spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { NODE_FLAGS } from './node-flags.js'

describe('NODE_FLAGS', () => {
  it('are the flags on the shebang line of bin.ts, the `alara` command', async () => {
    const source = await readFile(new URL('./bin.ts', import.meta.url), 'utf8')
    expect(source.split('\n')[0]).toBe(`#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`)
  })

  it('are taken by this Node, and set what they say', () => {
    const run = spawnSync(
      process.execPath,
      [
        ...NODE_FLAGS,
        '-p',
        "require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size",
      ],
      { encoding: 'utf8' },
    )
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    // two semi-spaces of at most --max-semi-space-size MB
    const mb = Number(/--max-semi-space-size=(\d+)/.exec(NODE_FLAGS.join(' '))?.[1])
    expect(Number(run.stdout)).toBeLessThanOrEqual(2 * mb * 2 ** 20)
  })
})
