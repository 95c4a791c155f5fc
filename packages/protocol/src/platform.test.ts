import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as node from './platform.js'
import * as browser from './platform-browser.js'

// A browser bundle swaps platform.ts for platform-browser.ts (package.json `browser`):
// every hash and hex the beacon computes must come out the same on both sides.
describe('platform-browser.ts', () => {
  it('hashes and converts hex exactly as platform.ts does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(browser.sha256(bytes)).toEqual(node.sha256(bytes))
        const hex = node.toHex(bytes)
        expect(browser.toHex(bytes)).toBe(hex)
        expect(browser.fromHex(hex)).toEqual(bytes)
        expect(browser.fromHex(hex.toUpperCase())).toEqual(node.fromHex(hex.toUpperCase()))
      }),
    )
  })

  it('is what package.json maps platform.js to', async () => {
    const pkg = (await import('../package.json', { with: { type: 'json' } })).default as {
      browser: Record<string, string>
    }
    expect(pkg.browser).toEqual({ './dist/platform.js': './dist/platform-browser.js' })
  })
})
