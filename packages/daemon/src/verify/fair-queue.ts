/**
 * A bounded queue with one FIFO per source (the peer a message came from), served round
 * robin: one source's flood cannot delay another's items by more than one item per turn,
 * and when the bound is reached the longest queue gives way, so a flood sheds its own
 * items, not those of quieter sources (Lodestar's per-topic gossip queues, made fair per
 * peer). Pure: no timers, no I/O.
 */
export interface PushResult<T> {
  /** false: refused (full, and this source holds the longest queue) */
  admitted: boolean
  /** an item of the longest queue dropped to make room (its owner must be told) */
  evicted?: T
}

export class FairQueue<T> {
  /** sources with items, in the order they are served next (Map order: a served source goes last) */
  private readonly queues = new Map<string, T[]>()
  private count = 0

  constructor(readonly maxItems: number) {
    if (!(maxItems >= 1)) throw new RangeError(`maxItems must be at least 1, got ${maxItems}`)
  }

  get size(): number {
    return this.count
  }

  /** how many sources have items waiting */
  get sources(): number {
    return this.queues.size
  }

  sizeOf(source: string): number {
    return this.queues.get(source)?.length ?? 0
  }

  /** Whether push(source, …) would admit an item now (see push). */
  wouldAdmit(source: string): boolean {
    if (this.count < this.maxItems) return true
    const [longest, longestQueue] = this.longest()
    return (
      longest !== undefined && longest !== source && longestQueue.length > this.sizeOf(source) + 1
    )
  }

  /**
   * Queues `item` for `source`. Full: the newest item of the longest other queue is evicted
   * when that queue is longer than this source's would be; otherwise the item is refused.
   */
  push(source: string, item: T): PushResult<T> {
    let evicted: T | undefined
    if (this.count >= this.maxItems) {
      if (!this.wouldAdmit(source)) return { admitted: false }
      const [longest, longestQueue] = this.longest() as [string, T[]]
      evicted = longestQueue.pop()
      this.count--
      if (longestQueue.length === 0) this.queues.delete(longest)
    }
    const queue = this.queues.get(source)
    if (queue === undefined) this.queues.set(source, [item])
    else queue.push(item)
    this.count++
    return evicted === undefined ? { admitted: true } : { admitted: true, evicted }
  }

  /** Up to `max` items, one per source in turn (the oldest of each). */
  take(max: number): T[] {
    const out: T[] = []
    while (out.length < max && this.count > 0) {
      for (const [source, queue] of this.queues) {
        if (out.length >= max) break
        out.push(queue.shift() as T)
        this.count--
        // served: to the back of the line (or out of it)
        this.queues.delete(source)
        if (queue.length > 0) this.queues.set(source, queue)
      }
    }
    return out
  }

  /** Empties the queue, returning everything that was in it. */
  drain(): T[] {
    const all = [...this.queues.values()].flat()
    this.queues.clear()
    this.count = 0
    return all
  }

  private longest(): [string | undefined, T[]] {
    let best: [string | undefined, T[]] = [undefined, []]
    for (const entry of this.queues) if (entry[1].length > best[1].length) best = entry
    return best
  }
}
