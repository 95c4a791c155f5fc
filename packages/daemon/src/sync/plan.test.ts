import { describe, expect, it } from 'vitest'
import { backfillQuorum } from './plan.js'

const TWO_THIRDS = 2 / 3

describe('backfillQuorum: when a back-filled epoch may freeze', () => {
  const voters = [
    { originHex: 'a', trust: 0.8 },
    { originHex: 'b', trust: 0.8 },
    { originHex: 'c', trust: 0.8 },
  ]

  it('never with no counted vote known: not on nobody’s word, not empty', () => {
    expect(backfillQuorum([], new Set(['a', 'b']), TWO_THIRDS)).toBe(false)
    expect(backfillQuorum([{ originHex: 'a', trust: 0 }], new Set(['a']), TWO_THIRDS)).toBe(false)
  })

  it('never on the word of one peer among three voters', () => {
    expect(backfillQuorum(voters, new Set(['a']), TWO_THIRDS)).toBe(false)
  })

  it('once members holding 2/3 of the voted trust have been heard', () => {
    expect(backfillQuorum(voters, new Set(['a', 'b']), TWO_THIRDS)).toBe(true)
    expect(backfillQuorum(voters, new Set(['a', 'b', 'c']), TWO_THIRDS)).toBe(true)
  })

  it('weighs by trust: one heavy member can outweigh two light ones, and not vice versa', () => {
    const mixed = [
      { originHex: 'a', trust: 1 },
      { originHex: 'b', trust: 0.2 },
      { originHex: 'c', trust: 0.2 },
    ]
    expect(backfillQuorum(mixed, new Set(['a']), TWO_THIRDS)).toBe(true)
    expect(backfillQuorum(mixed, new Set(['b', 'c']), TWO_THIRDS)).toBe(false)
  })

  it('peers heard that did not vote on the epoch add nothing', () => {
    expect(backfillQuorum(voters.slice(0, 1), new Set(['x', 'y']), TWO_THIRDS)).toBe(false)
    expect(backfillQuorum(voters.slice(0, 1), new Set(['a']), TWO_THIRDS)).toBe(true)
  })

  it('two nodes restarting together: hearing each other (no votes) freezes nothing', () => {
    // neither has votes for the epochs it was away: nothing is known, nothing frozen
    expect(backfillQuorum([], new Set(['partner']), TWO_THIRDS)).toBe(false)
    // the third node's votes arrive (through the partner): still needs that node heard
    const third = [{ originHex: 'third', trust: 0.8 }]
    expect(backfillQuorum(third, new Set(['partner']), TWO_THIRDS)).toBe(false)
    expect(backfillQuorum(third, new Set(['partner', 'third']), TWO_THIRDS)).toBe(true)
  })
})
