// "Agreed everywhere", judged from the nodes' event streams (bench-epoch, bench-scale).
//
// Epoch r is agreed on node i once i holds a vote for r from every other node and every
// one of them carries i's own digest; agreed everywhere once that holds on every node
// with one digest. (A node's `consensus:changed` status alone says less: `agreed` counts
// only the votes already here, so it can read agreed with two votes of five.) The time
// of agreement is when this process read the event that completed it (Date.now(); the
// event stream's delivery, ~1 ms on loopback, is included). Epoch r is judged once every
// node reported it final (`epoch:final`), or at end + finalMs + slack: it passes when it
// was agreed everywhere and every node froze it with that same digest.
//
// Events used: epoch:closed (own digest, at close), digest:changed (own digest moved by
// a repair: unknown until its new vote is seen), vote:received (a peer's newest vote;
// a vote of node j seen anywhere also tells j's own digest), epoch:final.

export const AGREEMENT_EVENTS = ['epoch:closed', 'digest:changed', 'vote:received', 'epoch:final']

export class AgreementTracker {
  /**
   * @param {{ origins: string[], first: number, last: number, epochMs: number,
   *   graceMs: number, finalMs: number, slackMs?: number }} opts
   *   origins: node i's origin hex; [first, last]: the epochs judged
   */
  constructor(opts) {
    this.n = opts.origins.length
    this.indexOf = new Map(opts.origins.map((o, i) => [o, i]))
    this.opts = { slackMs: 2000, ...opts }
    this.epochs = new Map()
    this.judged = [] // { epoch, passed, agreedAt, closeMs, digestChanges }
  }

  #epoch(r) {
    if (r < this.opts.first || r > this.opts.last) return undefined
    let e = this.epochs.get(r)
    if (e === undefined) {
      e = {
        own: new Array(this.n).fill(undefined),
        votes: Array.from({ length: this.n }, () => new Map()),
        ok: new Array(this.n).fill(false),
        final: new Array(this.n).fill(undefined),
        finals: 0,
        agreedAt: undefined,
        lastClosedAt: undefined,
        digestChanges: 0,
      }
      this.epochs.set(r, e)
    }
    return e
  }

  /** Node `i`'s event `type` with `d`, read at `atMs`. */
  feed(i, type, d, atMs) {
    const e = this.#epoch(d.epoch)
    if (e === undefined || this.#isJudged(d.epoch)) return
    if (type === 'epoch:closed') {
      e.own[i] = d.digestHex
      e.lastClosedAt = Math.max(e.lastClosedAt ?? 0, atMs)
      this.#recheck(e, i, atMs)
    } else if (type === 'digest:changed') {
      e.own[i] = undefined
      e.digestChanges++
      this.#recheck(e, i, atMs)
    } else if (type === 'vote:received') {
      const j = this.indexOf.get(d.originHex)
      if (j === undefined || j === i) return
      e.votes[i].set(j, d.digestHex)
      this.#recheck(e, i, atMs)
      if (e.own[j] === undefined) {
        e.own[j] = d.digestHex
        this.#recheck(e, j, atMs)
      }
    } else if (type === 'epoch:final') {
      if (e.final[i] === undefined) e.finals++
      e.final[i] = d.digestHex
      if (e.finals === this.n) this.#judge(d.epoch)
    }
  }

  #recheck(e, i, atMs) {
    const own = e.own[i]
    let ok = own !== undefined && e.votes[i].size === this.n - 1
    if (ok) for (const digest of e.votes[i].values()) if (digest !== own) ok = false
    e.ok[i] = ok
    if (!ok || e.agreedAt !== undefined) return
    for (let k = 0; k < this.n; k++) if (!e.ok[k] || e.own[k] !== own) return
    e.agreedAt = atMs
  }

  #isJudged(r) {
    return this.epochs.get(r)?.judgedAs !== undefined
  }

  #judge(r) {
    const e = this.#epoch(r)
    if (e.judgedAs !== undefined) return
    const finalsAgree = e.finals === this.n && e.final.every((f) => f === e.final[0])
    const passed = e.agreedAt !== undefined && finalsAgree
    e.judgedAs = passed
    if (!passed && process.env.DEBUG_AGREEMENT)
      console.error(
        `epoch ${r} failed: agreedAt ${e.agreedAt}, finals ${e.finals}, own ${JSON.stringify(e.own.map((o) => o?.slice(0, 8)))}, votes held ${e.votes.map((v) => v.size)}, ok ${e.ok}, origins ${[...this.indexOf.keys()].map((o) => o.slice(0, 8))}`,
      )
    const closeMs = (r + 1) * this.opts.epochMs + this.opts.graceMs
    this.judged.push({
      epoch: r,
      passed,
      agreedAt: e.agreedAt,
      closeToAgreedMs: e.agreedAt === undefined ? undefined : e.agreedAt - closeMs,
      // how late the last node's close (its epoch timer, then signing its vote) was read
      lastCloseLateMs: e.lastClosedAt === undefined ? undefined : e.lastClosedAt - closeMs,
      finals: e.finals,
      finalsAgree,
      digestChanges: e.digestChanges,
    })
  }

  /** Judges every epoch whose final time (+ slack) has passed by `nowMs`; returns how many are judged. */
  judgeDue(nowMs) {
    const { first, last, epochMs, finalMs, slackMs } = this.opts
    for (let r = first; r <= last; r++)
      if ((r + 1) * epochMs + finalMs + slackMs <= nowMs) this.#judge(r)
    return this.judged.length
  }

  get failed() {
    return this.judged.filter((j) => !j.passed).length
  }

  get done() {
    return this.judged.length === this.opts.last - this.opts.first + 1
  }
}
