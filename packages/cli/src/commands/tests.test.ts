import { describe, expect, it } from 'vitest'
import { renderTests } from './tests.js'

describe('tests view', () => {
  it('shows p-values, verdicts and tests that do not apply', () => {
    const out = renderTests({
      bits: 100,
      alpha: 0.01,
      tests: [
        { name: 'frequency', pValue: 0.534, passed: true },
        { name: 'runs', pValue: 0.000001, passed: false },
        { name: 'longest-run', pValue: null, passed: null, note: 'needs 128 bits' },
      ],
    })
    expect(out).toBe(
      [
        'NIST SP 800-22 subset on 100 pool bits, alpha 0.01',
        '',
        'TEST         P-VALUE  VERDICT',
        'frequency     0.5340  pass',
        'runs         1.00e-6  FAIL',
        'longest-run        -  n/a      needs 128 bits',
        '',
        '1 of 2 passed, 1 not applicable',
      ].join('\n'),
    )
  })
})
