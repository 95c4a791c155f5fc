import fc from 'fast-check'
import { equals } from 'uint8arrays/equals'

/**
 * A small protobuf writer, independent of protons, for the canonical-encoding tests
 * (docs/PROTOCOL.md, "Canonical encoding and message ids"): it lays out a message's
 * fields canonically (which must match protons byte for byte) or with one defect of the
 * kinds a forger could use to give a genuine message a second message id.
 */

/** `repeated`: an entry of a repeated field, written even when empty (as protons does) */
export type Field = { no: number; wt: 0 | 2; value: bigint | Uint8Array; repeated?: boolean }
export const text = new TextEncoder()

export function varint(v: bigint, extra = 0): number[] {
  const out: number[] = []
  do {
    out.push(Number(v & 0x7fn))
    v >>= 7n
  } while (v > 0n)
  // a non-minimal varint: the same value followed by `extra` zero 7-bit groups
  for (let i = 0; i < extra; i++) out.push(0)
  for (let i = 0; i < out.length - 1; i++) out[i] = (out[i] as number) | 0x80
  return out
}

interface Overlong {
  field: number
  part: 'tag' | 'value'
  extra: number
}

export function write(fields: Field[], overlong?: Overlong): Uint8Array {
  const out: number[] = []
  fields.forEach((f, i) => {
    const pad = (part: Overlong['part']) =>
      overlong?.field === i && overlong.part === part ? overlong.extra : 0
    out.push(...varint(BigInt((f.no << 3) | f.wt), pad('tag')))
    if (f.wt === 0) out.push(...varint(f.value as bigint, pad('value')))
    else {
      const bytes = f.value as Uint8Array
      out.push(...varint(BigInt(bytes.length), pad('value')), ...bytes)
    }
  })
  return new Uint8Array(out)
}

/** A field proto3 leaves out: zero or empty, unless it is an entry of a repeated field. */
export const isZero = (f: Field) =>
  f.repeated !== true && (f.wt === 0 ? f.value === 0n : (f.value as Uint8Array).length === 0)

/** The same field, written the same way (two equal entries of a repeated field). */
const sameField = (x: Field, y: Field): boolean => equals(write([x]), write([y]))

/** One way to spoil a canonical field list; each yields bytes that differ from it. */
export type Defect =
  | { kind: 'unknown'; field: Field; at: number }
  | { kind: 'duplicate'; which: number; at: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'explicitZero'; no: number }
  | { kind: 'overlong'; which: number; part: 'tag' | 'value'; extra: number }

/**
 * Defects for a message whose fields are numbered 1..lastField: unknown fields are
 * numbered above it, explicit zeros within it.
 */
export function defectArb(lastField: number): fc.Arbitrary<Defect> {
  const unknownNo = fc.integer({ min: lastField + 1, max: 2000 })
  return fc.oneof(
    fc.record({
      kind: fc.constant('unknown' as const),
      field: fc.oneof(
        fc.record({
          no: unknownNo,
          wt: fc.constant(0 as const),
          value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        }),
        fc.record({
          no: unknownNo,
          wt: fc.constant(2 as const),
          value: fc.uint8Array({ maxLength: 8 }),
        }),
      ),
      at: fc.nat(),
    }),
    fc.record({ kind: fc.constant('duplicate' as const), which: fc.nat(), at: fc.nat() }),
    fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
    fc.record({
      kind: fc.constant('explicitZero' as const),
      no: fc.integer({ min: 1, max: lastField }),
    }),
    fc.record({
      kind: fc.constant('overlong' as const),
      which: fc.nat(),
      part: fc.constantFrom('tag' as const, 'value' as const),
      extra: fc.integer({ min: 1, max: 3 }),
    }),
  )
}

/** The spoiled encoding, or undefined when the defect does not apply to these fields. */
export function spoil(canonical: Field[], d: Defect): Uint8Array | undefined {
  const fields = canonical.filter((f) => !isZero(f))
  const n = fields.length
  switch (d.kind) {
    case 'unknown':
      fields.splice(d.at % (n + 1), 0, d.field)
      return write(fields)
    case 'duplicate':
      fields.splice(d.at % (n + 1), 0, fields[d.which % n] as Field)
      return write(fields)
    case 'swap': {
      const a = d.a % n
      const b = d.b % n
      // two equal entries of a repeated field swap into the same bytes: no defect
      if (a === b || sameField(fields[a] as Field, fields[b] as Field)) return undefined
      ;[fields[a], fields[b]] = [fields[b] as Field, fields[a] as Field]
      return write(fields)
    }
    case 'explicitZero': {
      // an empty entry of a repeated field is another message, not another encoding: the
      // tests of such a message tell the two apart
      const template = canonical.find((f) => f.no === d.no)
      if (template === undefined) return undefined
      const zero: Field = {
        no: d.no,
        wt: template.wt,
        value: template.wt === 0 ? 0n : new Uint8Array(0),
      }
      const at = fields.findIndex((f) => f.no >= d.no)
      fields.splice(at === -1 ? n : at, 0, zero)
      return write(fields)
    }
    case 'overlong': {
      const which = d.which % n
      const f = fields[which] as Field
      // uint64 varints hold at most 10 bytes; longer is a decode error, also fine
      const longest = f.wt === 0 ? varint(f.value as bigint).length : 1
      if (d.part === 'value' && longest + d.extra > 10) return undefined
      return write(fields, { field: which, part: d.part, extra: d.extra })
    }
  }
}
