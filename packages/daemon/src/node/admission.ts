import {
  AdmissionBook,
  admissionRound,
  epochCloseMs,
  type ProtocolParams,
  type VerifiedContribution,
} from '@alara/protocol'

/**
 * DESIGN.md "Admission after close", the node's side as data (no I/O): per closed epoch
 * the AdmissionBook (every distinct vote of a member, the ids behind digests checked
 * against them, hence the vouchers of each item), the items that arrived by repair
 * without enough vouchers yet (held, checked again on every arrival until the deadline),
 * and the items admitted after close with their round (what a re-vote's evidence covers).
 */

export const ADMISSION_LIMITS = Object.freeze({
  /** items held per epoch while they wait for vouchers; more are dropped (repair refetches) */
  heldPerEpoch: 4096,
})

/** What ingest does with an item of epoch r that validated, arriving now. */
export type AdmissionGate =
  /** open (before close), or an epoch caught up on (frozen by catch-up's rule instead) */
  | { kind: 'free' }
  /** after close: admitted in round k with k vouchers */
  | { kind: 'round'; round: number }
  /** past the admission deadline: nothing enters */
  | { kind: 'over' }

export interface HeldItem {
  v: VerifiedContribution
  encoded: Uint8Array
}

export class AdmissionState {
  private readonly books = new Map<number, AdmissionBook>()
  private readonly held = new Map<number, Map<string, HeldItem>>()
  private readonly late = new Map<number, Map<string, number>>()

  constructor(
    private readonly params: ProtocolParams,
    private readonly selfHex: string,
  ) {}

  /** Epoch r's book, made on first use (a vote, ids, an own vote). */
  book(r: number): AdmissionBook {
    let book = this.books.get(r)
    if (book === undefined) {
      book = new AdmissionBook({ network: this.params.network, epoch: r, selfHex: this.selfHex })
      this.books.set(r, book)
    }
    return book
  }

  bookIfAny(r: number): AdmissionBook | undefined {
    return this.books.get(r)
  }

  /**
   * The gate of epoch r for an item arriving at `nowMs` by repair. `catchingUp`: an epoch
   * this node did not close itself (it was away): catch-up freezes it with the set its
   * quorum voted, so it takes items freely meanwhile.
   */
  gate(r: number, nowMs: number, catchingUp: boolean): AdmissionGate {
    if (catchingUp) return { kind: 'free' }
    const round = admissionRound(nowMs, epochCloseMs(r, this.params), this.params)
    if (round === 'open') return { kind: 'free' }
    if (round === 'over') return { kind: 'over' }
    return { kind: 'round', round }
  }

  /** Keeps an item until it has its vouchers (bounded: a full epoch drops it). */
  hold(r: number, item: HeldItem): boolean {
    let items = this.held.get(r)
    if (items === undefined) {
      items = new Map()
      this.held.set(r, items)
    }
    if (!items.has(item.v.idHex) && items.size >= ADMISSION_LIMITS.heldPerEpoch) return false
    items.set(item.v.idHex, item)
    return true
  }

  /** Epoch r's held items (a copy: admitting one removes it). */
  heldOf(r: number): HeldItem[] {
    return [...(this.held.get(r)?.values() ?? [])]
  }

  release(r: number, idHex: string): void {
    this.held.get(r)?.delete(idHex)
  }

  /** An item of r admitted after close in round k. */
  admitted(r: number, idHex: string, round: number): void {
    this.release(r, idHex)
    let items = this.late.get(r)
    if (items === undefined) {
      items = new Map()
      this.late.set(r, items)
    }
    items.set(idHex, round)
  }

  /** Items of r admitted after close, with their round. */
  admittedAfterClose(r: number): ReadonlyMap<string, number> {
    return this.late.get(r) ?? new Map()
  }

  /** Past the deadline, held items can never enter. */
  dropHeld(r: number): void {
    this.held.delete(r)
  }

  /** Forgets an epoch (final: its book is no longer needed for admission). */
  forget(r: number): void {
    this.books.delete(r)
    this.held.delete(r)
    this.late.delete(r)
  }

  prune(oldest: number): void {
    for (const map of [this.books, this.held, this.late])
      for (const r of map.keys()) if (r < oldest) map.delete(r)
  }
}
