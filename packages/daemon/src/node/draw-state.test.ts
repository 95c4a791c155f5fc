import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CorruptStoreError } from '../errors.js'
import { decodeDrawState, encodeDrawState } from './draw-state.js'

describe('draw state', () => {
  it('encodes and decodes every state; refuses anything else', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        (poolState, counter) => {
          expect(decodeDrawState(encodeDrawState({ poolState, counter }))).toEqual({
            poolState,
            counter,
          })
        },
      ),
    )
    expect(() => decodeDrawState(new Uint8Array(40))).toThrow(CorruptStoreError)
    const wrongVersion = encodeDrawState({ poolState: new Uint8Array(32), counter: 1 })
    wrongVersion[0] = 2
    expect(() => decodeDrawState(wrongVersion)).toThrow(CorruptStoreError)
  })
})
