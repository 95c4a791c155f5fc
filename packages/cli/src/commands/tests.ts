import type { Command } from 'commander'
import type { TestsResponse } from '../api-types.js'
import type { Context } from '../context.js'
import { table } from '../output.js'

function pValue(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return '-'
  return p < 0.0001 && p > 0 ? p.toExponential(2) : p.toFixed(4)
}

function verdict(passed: boolean | null): string {
  return passed === null ? 'n/a' : passed ? 'pass' : 'FAIL'
}

export function renderTests(t: TestsResponse): string {
  const alpha = t.alpha ?? 0.01
  const applicable = t.tests.filter((x) => x.passed !== null)
  const passed = applicable.filter((x) => x.passed === true).length
  const rows = t.tests.map((x) => [x.name, pValue(x.pValue), verdict(x.passed), x.note ?? ''])
  const skipped = t.tests.length - applicable.length
  return [
    `NIST SP 800-22 subset on ${t.bits} pool bits, alpha ${alpha}`,
    '',
    table(['TEST', { header: 'P-VALUE', align: 'right' }, 'VERDICT', ''], rows),
    '',
    `${passed} of ${applicable.length} passed${skipped > 0 ? `, ${skipped} not applicable` : ''}`,
  ].join('\n')
}

export function registerTests(program: Command, ctx: Context): void {
  program
    .command('tests')
    .description('statistical tests (NIST SP 800-22 subset) on the pool bits')
    .action(async (_opts: object, cmd: Command) => {
      const client = await ctx.client(cmd)
      ctx.print(cmd, await client.get<TestsResponse>('/v1/tests'), renderTests)
    })
}
