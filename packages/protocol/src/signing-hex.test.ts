import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fromHex } from './signing.js'

describe('fromHex', () => {
  it('reads lower- and upper-case hex into a plain Uint8Array', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const hex = Buffer.from(bytes).toString('hex')
        for (const text of [hex, hex.toUpperCase()]) {
          const out = fromHex(text)
          expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype)
          expect([...out]).toEqual([...bytes])
        }
      }),
    )
  })
})
