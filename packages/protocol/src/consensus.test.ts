import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  type AgreementVote,
  agreement,
  type BookVote,
  requiredAgreement,
  resolveTrust,
  type TrustLevel,
  trustWeight,
  VoteBook,
} from './consensus.js'

const SELF = 'aa'.repeat(19)
const A = '01'.repeat(19)
const B = '02'.repeat(19)
const C = '03'.repeat(19)
const D = '04'.repeat(19)

const digest = (v: number) => new Uint8Array(32).fill(v)
const MINE = digest(1)
const OTHER = digest(2)

function trustTable(table: Record<string, TrustLevel>) {
  return (origin: string) => table[origin]
}

describe('agreement', () => {
  it('self only: agreement 1, alone once closed, pending before', () => {
    const closed = agreement({ myDigest: MINE, votes: [], selfHex: SELF, closed: true })
    expect(closed.agreement).toBe(1)
    expect(closed.status).toBe('alone')
    expect(closed.voters).toEqual([
      {
        originHex: SELF,
        digest: '01'.repeat(32),
        trust: 1,
        active: true,
        member: true,
        counted: true,
        agrees: true,
      },
    ])
    expect(closed.dissenters).toEqual([])
    const open = agreement({ myDigest: MINE, votes: [], selfHex: SELF, closed: false })
    expect(open.status).toBe('pending')
    expect(open.agreement).toBe(1)
  })

  it('weights voters by trust, defaultTrust for peers the store does not list', () => {
    // self 1 + A 0.9 agree; B at default 0.8 dissents: 1.9 / 2.7
    const r = agreement({
      myDigest: MINE,
      votes: [
        { originHex: B, digest: OTHER },
        { originHex: A, digest: MINE },
      ],
      selfHex: SELF,
      trustOf: trustTable({ [A]: { trust: 0.9, active: true } }),
      closed: true,
    })
    expect(r.agreement).toBeCloseTo(1.9 / 2.7, 12)
    expect(r.status).toBe('agreed')
    expect(r.voters.map((v) => [v.originHex, v.trust, v.agrees])).toEqual([
      [SELF, 1, true],
      [A, 0.9, true],
      [B, 0.8, false],
    ])
    expect(r.dissenters.map((v) => [v.originHex, v.digest])).toEqual([[B, '02'.repeat(32)]])
  })

  it('ignores voters with trust 0 or inactive (listed, not counted, not dissenters)', () => {
    const r = agreement({
      myDigest: MINE,
      votes: [
        { originHex: A, digest: OTHER },
        { originHex: B, digest: OTHER },
        { originHex: C, digest: MINE },
      ],
      selfHex: SELF,
      trustOf: trustTable({
        [A]: { trust: 0, active: true },
        [B]: { trust: 0.9, active: false },
        [C]: { trust: 0, active: true },
      }),
      closed: true,
    })
    expect(r.agreement).toBe(1)
    // nobody counted but me
    expect(r.status).toBe('alone')
    expect(r.dissenters).toEqual([])
    expect(r.voters.filter((v) => !v.counted).map((v) => v.originHex)).toEqual([A, B, C])
    expect(r.voters.filter((v) => !v.member).map((v) => v.originHex)).toEqual([A, B, C])
  })

  it('counts members only: strangers and non-members are listed, not counted', () => {
    const members = new Set([A])
    const r = agreement({
      myDigest: MINE,
      votes: [
        { originHex: A, digest: MINE },
        { originHex: B, digest: OTHER },
      ],
      strangers: [
        { originHex: C, digest: OTHER },
        { originHex: D, digest: OTHER },
      ],
      selfHex: SELF,
      isMember: (o) => members.has(o),
      closed: true,
    })
    expect(r.agreement).toBe(1)
    expect(r.status).toBe('agreed')
    expect(r.dissenters).toEqual([])
    expect(r.voters.map((v) => [v.originHex, v.member, v.counted])).toEqual([
      [SELF, true, true],
      [A, true, true],
      [B, false, false],
      [C, false, false],
      [D, false, false],
    ])
  })

  it('alone when the only other voters are strangers, whatever they vote', () => {
    const r = agreement({
      myDigest: MINE,
      votes: [],
      strangers: [A, B, C, D].map((originHex) => ({ originHex, digest: OTHER })),
      selfHex: SELF,
      isMember: () => false,
      closed: true,
    })
    expect(r.status).toBe('alone')
    expect(r.agreement).toBe(1)
    const open = agreement({ myDigest: MINE, votes: [], selfHex: SELF, closed: false })
    expect(open.status).toBe('pending')
  })

  it('a vote of my own origin in the list is not counted twice', () => {
    const r = agreement({
      myDigest: MINE,
      votes: [
        { originHex: SELF, digest: OTHER },
        { originHex: A, digest: OTHER },
      ],
      selfHex: SELF,
      trustOf: trustTable({ [A]: { trust: 1, active: true } }),
      closed: true,
    })
    expect(r.agreement).toBe(0.5)
    expect(r.voters).toHaveLength(2)
  })

  it('exactly 2/3 is agreed with the default threshold 0.33; just below is split', () => {
    const votes: AgreementVote[] = [
      { originHex: A, digest: MINE },
      { originHex: B, digest: OTHER },
    ]
    const equal = trustTable({ [A]: { trust: 1, active: true }, [B]: { trust: 1, active: true } })
    const r = agreement({ myDigest: MINE, votes, selfHex: SELF, trustOf: equal, closed: true })
    expect(r.agreement).toBeCloseTo(2 / 3, 15)
    expect(r.status).toBe('agreed')

    // (1 + 0.6) / (1 + 0.6 + 0.8): 2/3 again, reached through float sums
    const weighted = trustTable({
      [A]: { trust: 0.6, active: true },
      [B]: { trust: 0.8, active: true },
    })
    expect(
      agreement({ myDigest: MINE, votes, selfHex: SELF, trustOf: weighted, closed: true }).status,
    ).toBe('agreed')

    const below = trustTable({
      [A]: { trust: 0.99, active: true },
      [B]: { trust: 1, active: true },
    })
    const s = agreement({ myDigest: MINE, votes, selfHex: SELF, trustOf: below, closed: true })
    expect(s.agreement).toBeLessThan(2 / 3)
    expect(s.status).toBe('split')
  })

  it('follows a configured threshold: 0.25 needs 3/4', () => {
    const votes: AgreementVote[] = [
      { originHex: A, digest: MINE },
      { originHex: B, digest: MINE },
      { originHex: C, digest: OTHER },
    ]
    const all = (trust: number) => () => ({ trust, active: true })
    const at = (byzantineThreshold: number, closed = true) =>
      agreement({
        myDigest: MINE,
        votes,
        selfHex: SELF,
        trustOf: all(1),
        closed,
        params: { byzantineThreshold },
      })
    expect(at(0.25).agreement).toBe(0.75)
    expect(at(0.25).status).toBe('agreed')
    expect(at(0.2).status).toBe('split')
    expect(at(0.2, false).status).toBe('pending')
    // I can be the one in the minority
    const minority = agreement({
      myDigest: OTHER,
      votes,
      selfHex: SELF,
      trustOf: all(1),
      closed: true,
    })
    expect(minority.agreement).toBe(0.5)
    expect(minority.status).toBe('split')
    expect(minority.dissenters.map((v) => v.originHex)).toEqual([A, B])
  })

  it('refuses duplicate voters, malformed digests and invalid trust levels', () => {
    const base = { myDigest: MINE, selfHex: SELF, closed: true }
    expect(() =>
      agreement({
        ...base,
        votes: [
          { originHex: A, digest: MINE },
          { originHex: A, digest: OTHER },
        ],
      }),
    ).toThrow(/more than one vote/)
    expect(() =>
      agreement({ ...base, votes: [{ originHex: A, digest: new Uint8Array(3) }] }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }))
    expect(() =>
      agreement({
        ...base,
        votes: [{ originHex: A, digest: MINE }],
        trustOf: () => ({ trust: 1.5, active: true }),
      }),
    ).toThrow(/from 0 to 1/)
    expect(() => agreement({ ...base, myDigest: new Uint8Array(0), votes: [] })).toThrow(
      /my digest/,
    )
  })

  it('agreement stays in [0, 1] and ignores vote order (property)', () => {
    const origins = [A, B, C, D]
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom(...origins),
            fc.boolean(),
            fc.double({ min: 0, max: 1, noNaN: true }),
            fc.boolean(),
          ),
          { maxLength: 4 },
        ),
        (raw) => {
          const byOrigin = new Map(
            raw.map(([o, agrees, trust, active]) => [o, { agrees, trust, active }]),
          )
          const votes = [...byOrigin].map(([o, v]) => ({
            originHex: o,
            digest: v.agrees ? MINE : OTHER,
          }))
          const trustOf = (o: string) => byOrigin.get(o)
          const r = agreement({ myDigest: MINE, votes, selfHex: SELF, trustOf, closed: true })
          const back = agreement({
            myDigest: MINE,
            votes: [...votes].reverse(),
            selfHex: SELF,
            trustOf,
            closed: true,
          })
          expect(r.agreement).toBeGreaterThan(0)
          expect(r.agreement).toBeLessThanOrEqual(1)
          expect(back).toEqual(r)
        },
      ),
    )
  })
})

describe('trust policy', () => {
  it('self is trust 1 whatever the store says; unknown peers get defaultTrust', () => {
    const lookup = trustTable({
      [SELF]: { trust: 0, active: false },
      [A]: { trust: 0.3, active: true },
    })
    expect(resolveTrust(SELF, SELF, lookup, 0.8)).toEqual({ trust: 1, active: true })
    expect(resolveTrust(A, SELF, lookup, 0.8)).toEqual({ trust: 0.3, active: true })
    expect(resolveTrust(B, SELF, lookup, 0.8)).toEqual({ trust: 0.8, active: true })
    expect(resolveTrust(B, SELF, undefined, 0.5)).toEqual({ trust: 0.5, active: true })
  })

  it('weight is trust when active, 0 when paused', () => {
    expect(trustWeight({ trust: 0.7, active: true })).toBe(0.7)
    expect(trustWeight({ trust: 0.7, active: false })).toBe(0)
  })

  it('requiredAgreement reads 0.33 as one third and anything else literally', () => {
    expect(requiredAgreement(0.33)).toBe(2 / 3)
    expect(requiredAgreement(1 / 3)).toBe(2 / 3)
    expect(requiredAgreement(0.25)).toBe(0.75)
    expect(requiredAgreement(0)).toBe(1)
    expect(() => requiredAgreement(1)).toThrow(/byzantineThreshold/)
    expect(() => requiredAgreement(Number.NaN)).toThrow(/byzantineThreshold/)
  })
})

describe('VoteBook', () => {
  const vote = (originHex: string, epoch: number, d: number, timestampMs: number): BookVote => ({
    originHex,
    epoch,
    digest: digest(d),
    timestampMs,
  })

  it('keeps the newest vote per origin and epoch', () => {
    const book = new VoteBook()
    expect(book.record(vote(A, 5, 1, 100))).toBe('new')
    expect(book.record(vote(A, 5, 2, 90))).toBe('stale')
    expect(book.record(vote(A, 5, 1, 100))).toBe('stale')
    expect(book.record(vote(A, 5, 3, 110))).toBe('replaced')
    expect(book.record(vote(A, 6, 4, 50))).toBe('new')
    expect(book.record(vote(B, 5, 1, 10))).toBe('new')
    expect(book.voteOf(5, A)?.digest).toEqual(digest(3))
    expect(book.votesOf(5).map((v) => v.originHex)).toEqual([A, B])
    expect(book.votesOf(7)).toEqual([])
    expect(book.epochs()).toEqual([5, 6])
    expect(book.size).toBe(3)
  })

  it('settles equal timestamps by the greater digest, so arrival order does not matter', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom(A, B),
            fc.integer({ min: 1, max: 2 }),
            fc.integer({ min: 1, max: 4 }),
            fc.integer({ min: 0, max: 3 }),
          ),
          { maxLength: 12 },
        ),
        fc.func(fc.integer()),
        (raw, key) => {
          const votes = raw.map(([o, e, d, t]) => vote(o, e, d, t))
          const shuffled = votes
            .map((v, i) => ({ v, k: key(i) }))
            .sort((x, y) => x.k - y.k)
            .map((x) => x.v)
          const one = new VoteBook()
          const two = new VoteBook()
          for (const v of votes) one.record(v)
          for (const v of shuffled) two.record(v)
          for (const e of [1, 2]) expect(two.votesOf(e)).toEqual(one.votesOf(e))
        },
      ),
    )
  })

  it('prunes old epochs and feeds agreement', () => {
    const book = new VoteBook()
    book.record(vote(A, 1, 1, 1))
    book.record(vote(A, 2, 1, 1))
    book.record(vote(B, 2, 2, 1))
    expect(book.prune(2)).toBe(1)
    expect(book.epochs()).toEqual([2])
    const r = agreement({
      myDigest: MINE,
      votes: book.votesOf(2),
      selfHex: SELF,
      trustOf: () => ({ trust: 1, active: true }),
      closed: true,
    })
    expect(r.agreement).toBeCloseTo(2 / 3, 15)
    expect(r.dissenters.map((v) => v.originHex)).toEqual([B])
  })

  it('refuses malformed votes', () => {
    const book = new VoteBook()
    expect(() => book.record({ ...vote(A, 1, 1, 1), digest: new Uint8Array(1) })).toThrow(
      /32 bytes/,
    )
    expect(() => book.record(vote(A, -1, 1, 1))).toThrow(/epoch/)
    expect(book.size).toBe(0)
  })
})
