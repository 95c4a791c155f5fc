import type { OutStream } from './io.js'

/**
 * Human output (aligned tables and key/value blocks) versus `--json` (one JSON document on
 * stdout). Renderers are pure functions returning text so tests can read them.
 */

export function writeJson(out: OutStream, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`)
}

export function writeText(out: OutStream, text: string): void {
  if (text === '') return
  out.write(text.endsWith('\n') ? text : `${text}\n`)
}

/** Display width in code points: our marks (✓ ✗ · …) are one column each. */
function width(s: string): number {
  return [...s].length
}

function pad(s: string, w: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)))
  return align === 'right' ? fill + s : s + fill
}

export type Align = 'left' | 'right'

export interface Column {
  header: string
  align?: Align
}

/** Columns separated by two spaces; trailing spaces trimmed. */
export function table(columns: Array<Column | string>, rows: string[][]): string {
  const cols = columns.map((c) => (typeof c === 'string' ? { header: c } : c))
  const widths = cols.map((c, i) =>
    Math.max(width(c.header), ...rows.map((r) => width(r[i] ?? ''))),
  )
  const line = (cells: string[]): string =>
    cols
      .map((c, i) => pad(cells[i] ?? '', widths[i] ?? 0, c.align ?? 'left'))
      .join('  ')
      .trimEnd()
  return [line(cols.map((c) => c.header)), ...rows.map(line)].join('\n')
}

/** `key  value` lines with the values aligned; a multi-line value continues under itself. */
export function fields(pairs: Array<[string, string | string[]]>): string {
  const w = Math.max(0, ...pairs.map(([k]) => width(k)))
  const lines: string[] = []
  for (const [key, value] of pairs) {
    const values = Array.isArray(value) ? value : [value]
    const [first = '', ...rest] = values.length === 0 ? ['(none)'] : values
    lines.push(`${pad(key, w, 'left')}  ${first}`.trimEnd())
    for (const more of rest) lines.push(`${' '.repeat(w)}  ${more}`)
  }
  return lines.join('\n')
}

export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no'
}

/** 1 → "100%", 0.6667 → "66.7%"; null → "-". */
export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-'
  let r = Math.round(value * 1000) / 10
  // never show a split as unanimous because of rounding
  if (value < 1 && r >= 100) r = 99.9
  if (value > 0 && r <= 0) r = 0.1
  return `${Number.isInteger(r) ? r.toFixed(0) : r.toFixed(1)}%`
}

export function fixed(value: number | null | undefined, digits: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-'
  return value.toFixed(digits)
}

/** Ed25519 peer ids all start with 12D3KooW, so keep the distinctive tail. */
export function shortPeerId(peerId: string): string {
  return peerId.length <= 16 ? peerId : `${peerId.slice(0, 4)}…${peerId.slice(-6)}`
}

export function shortHex(hex: string, chars = 8): string {
  return hex.length <= chars ? hex : hex.slice(0, chars)
}

/** A wall-clock time in ms as an age: "now", "12s ago", "5m ago", "3h ago", "2d ago". */
export function ago(timeMs: number | null | undefined, nowMs: number = Date.now()): string {
  if (timeMs === null || timeMs === undefined || timeMs <= 0) return 'never'
  const s = Math.max(0, Math.round((nowMs - timeMs) / 1000))
  if (s < 1) return 'now'
  if (s < 60) return `${s}s ago`
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`
  return `${Math.floor(s / 86_400)}d ago`
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

/** Bits in lines of `perLine`, grouped by 8 for the eye. */
export function bitBlock(bits: string, perLine = 64): string[] {
  const lines: string[] = []
  for (let i = 0; i < bits.length; i += perLine) {
    lines.push(bits.slice(i, i + perLine).replace(/(.{8})(?=.)/g, '$1 '))
  }
  return lines
}
