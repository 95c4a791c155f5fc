import { describe, expect, it } from 'vitest'
import { toHex } from '../platform.js'
import { commitValue } from './commits.js'
import { type HeldCommit, HeldCommits, heldCommitsDigest } from './held-commits.js'

/** The commits one node holds for one epoch: digest, equivocation, C_r, bounds. */

const commit = (origin: number, seed: number): HeldCommit => {
  const alpha = new Uint8Array(272).fill(seed)
  const originBytes = Uint8Array.of(0, 36, 8, 1, 18, 32, origin)
  return {
    idHex: toHex(new Uint8Array(32).fill(origin * 16 + seed)),
    originHex: toHex(originBytes),
    origin: originBytes,
    c: commitValue(alpha),
    encoded: Uint8Array.of(origin, seed),
  }
}

describe('HeldCommits', () => {
  it('the held digest covers every commit held and follows each addition', () => {
    const held = new HeldCommits('net', 7, 8)
    const a = commit(1, 1)
    const b = commit(2, 2)
    expect(held.add(a)).toBe('added')
    const one = toHex(held.heldDigest())
    expect(one).toBe(toHex(heldCommitsDigest('net', 7, [a.idHex])))
    expect(held.add(b)).toBe('added')
    expect(toHex(held.heldDigest())).not.toBe(one)
    expect(toHex(held.heldDigest())).toBe(toHex(heldCommitsDigest('net', 7, [a.idHex, b.idHex])))
    expect(held.add(a)).toBe('duplicate')
  })

  it('a second commit of an origin is equivocation: kept, counted, left out of C_r', () => {
    const held = new HeldCommits('net', 7, 8)
    const a1 = commit(1, 1)
    const a2 = commit(1, 3)
    const b = commit(2, 2)
    held.add(a1)
    held.add(b)
    const before = toHex(held.heldDigest())
    expect(held.add(a2)).toBe('equivocation')
    expect(toHex(held.heldDigest())).not.toBe(before)
    expect(held.equivocations().map((e) => e.originHex)).toEqual([a1.originHex])
    expect(held.add(commit(1, 4))).toBe('full')
    const set = held.commitSet(1024, () => true)
    expect(set.members.map((m) => m.originHex)).toEqual([b.originHex])
  })

  it('holds at most maxOrigins origins', () => {
    const held = new HeldCommits('net', 7, 1)
    expect(held.add(commit(1, 1))).toBe('added')
    expect(held.add(commit(2, 2))).toBe('full')
    expect(held.count).toBe(1)
  })
})
