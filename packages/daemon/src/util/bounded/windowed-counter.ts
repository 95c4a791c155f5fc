/**
 * Counts per key and epoch, forgotten with the retained window (`prune`), and bounded:
 * at most `maxKeysPerEpoch` keys are counted in one epoch; further keys are not counted
 * (`add` says so), so a peer inventing origins cannot grow it. Pure data, no I/O.
 */
export class WindowedCounter {
  private readonly byEpoch = new Map<number, Map<string, number>>()

  constructor(readonly maxKeysPerEpoch: number) {}

  /** Adds one for `key` in `epoch`; false when the epoch is full and the key was not counted. */
  add(key: string, epoch: number): boolean {
    let counts = this.byEpoch.get(epoch)
    if (counts === undefined) {
      counts = new Map()
      this.byEpoch.set(epoch, counts)
    }
    const n = counts.get(key)
    if (n === undefined && counts.size >= this.maxKeysPerEpoch) return false
    counts.set(key, (n ?? 0) + 1)
    return true
  }

  /** The count of `key` in `epoch`. */
  countOf(key: string, epoch: number): number {
    return this.byEpoch.get(epoch)?.get(key) ?? 0
  }

  /** The count of `key` over every retained epoch. */
  get(key: string): number | undefined {
    let total: number | undefined
    for (const counts of this.byEpoch.values()) {
      const n = counts.get(key)
      if (n !== undefined) total = (total ?? 0) + n
    }
    return total
  }

  /** Totals per key over every retained epoch. */
  *[Symbol.iterator](): IterableIterator<[string, number]> {
    const totals = new Map<string, number>()
    for (const counts of this.byEpoch.values())
      for (const [key, n] of counts) totals.set(key, (totals.get(key) ?? 0) + n)
    yield* totals
  }

  /** Forgets the epochs before `oldest`. */
  prune(oldest: number): void {
    for (const epoch of this.byEpoch.keys()) if (epoch < oldest) this.byEpoch.delete(epoch)
  }

  /** Keys counted, summed over epochs (what it holds). */
  get size(): number {
    let n = 0
    for (const counts of this.byEpoch.values()) n += counts.size
    return n
  }
}
