import { describe, expect, it } from 'vitest'
import type { PoolResponse } from '../api-types.js'
import { renderPool } from './pool.js'

const POOL: PoolResponse = {
  network: 'default',
  bits: '01'.repeat(200),
  bitLength: 400,
  folded: 1,
  stored: 2,
  digest: 'ab'.repeat(32),
  creditBits: 321.456,
  ready: true,
}

describe('pool view', () => {
  it('shows the figures, then the first bits grouped by 8, 64 per line', () => {
    const out = renderPool(POOL, 80)
    expect(out).toBe(
      [
        'network  default',
        'pool     400 bits',
        'folded   1 contribution',
        'stored   2 contributions',
        `digest   ${'ab'.repeat(32)}`,
        'credit   321.5 bits',
        'ready    yes',
        '',
        'first 80 of 400 bits:',
        `${Array(8).fill('01010101').join(' ')}`,
        '01010101 01010101',
      ].join('\n'),
    )
  })

  it('shows 256 bits by default and says how to see the rest', () => {
    const out = renderPool(POOL)
    expect(out).toContain('first 256 of 400 bits (more with --bits N or --json):')
    expect(out.split('\n').filter((l) => /^[01 ]+$/.test(l))).toHaveLength(4)
  })

  it('says when all bits are shown', () => {
    expect(renderPool({ ...POOL, bits: '0110', bitLength: 4 })).toContain('all 4 bits:\n0110')
  })

  it('says when the pool is empty and why it is not ready', () => {
    const out = renderPool({ ...POOL, bits: '', bitLength: 0, ready: false, creditBits: 0 })
    expect(out).toContain('ready    no (private draws need 256 credited bits)')
    expect(out.endsWith('\n\nthe pool is empty')).toBe(true)
  })
})
