import { createHash } from 'node:crypto'
import { ALPHA_BYTES, commitValue } from './commits.js'

/** Test members of an epoch: Ed25519-shaped origins and α's derived from a label. */
export interface TestMember {
  origin: Uint8Array
  alpha: Uint8Array
  c: bigint
}

const sha = (text: string): Buffer => createHash('sha256').update(text).digest()

/** 0x00 0x24 (identity multihash, 36 bytes) 0x08 0x01 0x12 0x20 (Ed25519 key, 32 bytes) ‖ key */
export function testOrigin(label: string): Uint8Array {
  return new Uint8Array(
    Buffer.concat([Buffer.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]), sha(`origin ${label}`)]),
  )
}

export function testAlpha(label: string): Uint8Array {
  const blocks = Array.from({ length: 9 }, (_, j) => sha(`alpha ${label}/${j}`))
  return new Uint8Array(Buffer.concat(blocks).subarray(0, ALPHA_BYTES))
}

const cache = new Map<string, TestMember>()

/** Member `label` (c = |g^α| computed once per label: ~10 ms each). */
export function testMember(label: string): TestMember {
  let member = cache.get(label)
  if (member === undefined) {
    const alpha = testAlpha(label)
    member = { origin: testOrigin(label), alpha, c: commitValue(alpha) }
    cache.set(label, member)
  }
  return member
}
