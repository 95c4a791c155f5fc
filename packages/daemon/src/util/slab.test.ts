import { describe, expect, it } from 'vitest'
import { SlabCopier } from './slab.js'

describe('SlabCopier', () => {
  it('copies into shared slabs: equal bytes, independent of the source, no overlap', () => {
    const copier = new SlabCopier(64)
    const sources = Array.from({ length: 20 }, (_, i) => new Uint8Array(7).fill(i))
    const copies = sources.map((s) => copier.copy(s))
    for (const s of sources) s.fill(255)
    for (const [i, c] of copies.entries()) expect([...c]).toEqual(new Array(7).fill(i))
    // 9 copies of 7 bytes fit a 64-byte slab
    expect(new Set(copies.map((c) => c.buffer)).size).toBe(3)
    expect(copies.every((c) => c.buffer.byteLength === 64)).toBe(true)
  })

  it('a large string gets a buffer of its own', () => {
    const copier = new SlabCopier(64)
    const big = copier.copy(new Uint8Array(40).fill(1))
    expect(big.buffer.byteLength).toBe(40)
    expect(copier.copy(new Uint8Array(0))).toHaveLength(0)
  })
})
