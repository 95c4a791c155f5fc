import { describe, expect, it } from 'vitest'
import type { EpochConsensus } from '../api-types.js'
import { peerLabel, renderConsensus } from './consensus.js'

const SELF = '12D3KooWGzBnHAHh2MDFZ9qS7fBEQxQmhVaWPA8VD7qtdVbUXVx5'
const PEER_B = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const PEER_C = '12D3KooWRBhwfeP2Y4TCx1SM6s9rUoHy3nvXeCSKoJtRpLxBS8Ka'
const STRANGER = '12D3KooWPjceQrSwdWXPyLLeABRXmuqt69Rg3sBYbU1Nft9HyQ6X'
const D1 = `9f86d081${'0'.repeat(56)}`
const D2 = `1a2b3c4d${'0'.repeat(56)}`

const vote = (peerId: string, digest: string, agrees: boolean) => ({
  peerId,
  digest,
  trust: 0.8,
  agrees,
  member: true,
  counted: true,
})

const EPOCHS: EpochConsensus[] = [
  // newest first, as an API may return them: the table sorts oldest first
  {
    epoch: 102,
    status: 'split',
    agreement: 0.5555,
    digest: D1,
    count: 2,
    final: false,
    catchingUp: true,
    voters: [vote(PEER_B, D2, false), vote(SELF, D1, true)],
    dissenters: [{ peerId: PEER_B, digest: D2, trust: 0.8 }],
    shared: { status: 'pending', withheld: [PEER_B], equivocating: [STRANGER] },
  },
  {
    epoch: 101,
    status: 'agreed',
    agreement: 1,
    digest: D1,
    count: 3,
    final: true,
    catchingUp: false,
    voters: [vote(PEER_C, D1, true), vote(SELF, D1, true), vote(PEER_B, D1, true)],
    dissenters: [],
    shared: { status: 'revealed', withheld: [], equivocating: [] },
  },
]

describe('consensus table', () => {
  it('reads at a glance: epoch, status, agreement, count, digest prefix, one mark per voter', () => {
    expect(renderConsensus(EPOCHS, SELF)).toBe(
      [
        'EPOCH  STATUS              AGREEMENT  COUNT  DIGEST    BEACON    A  B  C',
        '101    agreed                   100%      3  9f86d081  revealed  ✓  ✓  ✓',
        '102    split, catching up      55.6%      2  9f86d081  pending   ✓  ·  ✗',
        '',
        'voters:',
        '  A  12D3…bUXVx5  (this node)',
        '  B  12D3…xBS8Ka',
        '  C  12D3…CVe2Xo',
        '',
        '✓ agrees  ✗ dissents  · no vote',
        '',
        'shared beacon (signed evidence: alara beacon EPOCH --json):',
        '  102  withheld: C  equivocating: 12D3…9HyQ6X',
      ].join('\n'),
    )
  })

  it('puts this node first only when it voted', () => {
    const out = renderConsensus(EPOCHS, 'someone-else')
    expect(out).toContain('  A  12D3…xBS8Ka')
    expect(out).not.toContain('this node')
  })

  it('says when nothing closed or nobody voted', () => {
    expect(renderConsensus([])).toBe('no closed epochs yet')
    const pending: EpochConsensus = {
      epoch: 5,
      status: 'pending',
      agreement: 1,
      digest: D1,
      count: 0,
      final: false,
      catchingUp: false,
      voters: [],
      dissenters: [],
      shared: { status: 'none', withheld: [], equivocating: [] },
    }
    expect(renderConsensus([pending])).toBe(
      'EPOCH  STATUS   AGREEMENT  COUNT  DIGEST    BEACON\n5      pending          -      0  9f86d081  none\n\nno votes received yet',
    )
  })

  it('labels columns A…Z, then AA', () => {
    expect([0, 1, 25, 26, 27, 51, 52].map(peerLabel)).toEqual([
      'A',
      'B',
      'Z',
      'AA',
      'AB',
      'AZ',
      'BA',
    ])
  })
})
