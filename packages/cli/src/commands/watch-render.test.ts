import { describe, expect, it } from 'vitest'
import { originPeer, renderWatchLine } from './watch-render.js'

const T = Date.UTC(2026, 0, 2, 3, 4, 5)
// the identity multihash of an Ed25519 key, as the daemon's events carry origins
const ORIGIN = `002408011220${'37'.repeat(32)}`

describe('alara watch lines', () => {
  it('says what happened in one short line, time first', () => {
    expect(
      renderWatchLine({
        type: 'epoch:closed',
        timeMs: T,
        epoch: 9,
        digestHex: 'ab'.repeat(32),
        count: 3,
      }),
    ).toBe('03:04:05 epoch 9 closed: 3 contributions, digest abababab, voted')
    expect(
      renderWatchLine({
        type: 'consensus:changed',
        timeMs: T,
        epoch: 9,
        status: 'agreed',
        agreement: 1,
      }),
    ).toMatch(/^03:04:05 epoch 9 agreed, agreement 100(\.0)?%$/)
    expect(
      renderWatchLine({
        type: 'contribution:folded',
        timeMs: T,
        epoch: 9,
        originHex: ORIGIN,
        bitLength: 256,
        timestampMs: 1000,
        receivedMs: 1042,
        via: 'gossip',
      }),
    ).toBe(
      `03:04:05 folded 256 bits from ${originPeer(ORIGIN)} (epoch 9, via gossip, 42 ms after publish)`,
    )
    expect(renderWatchLine({ type: 'peer:connected', timeMs: T, peerId: '12D3KooWabc' })).toBe(
      '03:04:05 peer joined 12D3KooWabc',
    )
    expect(renderWatchLine({ type: 'peer:disconnected', timeMs: T, peerId: '12D3KooWabc' })).toBe(
      '03:04:05 peer left 12D3KooWabc',
    )
  })

  it('shows an origin as a short peer id, and odd input without throwing', () => {
    expect(originPeer(ORIGIN)).toMatch(/^12D3…\w{6}$/)
    expect(originPeer('zz')).toBe('zz')
    expect(originPeer(undefined)).toBe('?')
    expect(renderWatchLine({ type: 'something:new', timeMs: T, x: 1 })).toBe(
      '03:04:05 something:new {"x":1}',
    )
  })
})
