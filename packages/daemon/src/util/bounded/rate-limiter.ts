/**
 * Token buckets per key (a peer, an origin): `ratePerSec` tokens a second up to `burst`.
 * At most `maxKeys` buckets are kept; the one used least recently goes first (a key seen
 * again starts with a full bucket, which costs an attacker a new identity and connection
 * per burst). Pure: time comes from `now`.
 */
export interface RateLimiterInit {
  ratePerSec: number
  burst: number
  maxKeys: number
  now?: () => number
}

interface Bucket {
  tokens: number
  atMs: number
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly now: () => number

  constructor(private readonly init: RateLimiterInit) {
    this.now = init.now ?? Date.now
  }

  /** Takes a token for `key`: true when there was one. */
  take(key: string): boolean {
    const bucket = this.refilled(key)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  /** Milliseconds until `key` has a token (0: now). Takes nothing. */
  waitMs(key: string): number {
    const bucket = this.refilled(key)
    return bucket.tokens >= 1 ? 0 : Math.ceil(((1 - bucket.tokens) * 1000) / this.init.ratePerSec)
  }

  get size(): number {
    return this.buckets.size
  }

  forget(key: string): void {
    this.buckets.delete(key)
  }

  private refilled(key: string): Bucket {
    const nowMs = this.now()
    const { ratePerSec, burst, maxKeys } = this.init
    let bucket = this.buckets.get(key)
    if (bucket === undefined) {
      bucket = { tokens: burst, atMs: nowMs }
      if (this.buckets.size >= maxKeys) {
        const oldest = this.buckets.keys().next().value
        if (oldest !== undefined) this.buckets.delete(oldest)
      }
    } else {
      this.buckets.delete(key) // re-inserted below: Map order is least recently used first
      const elapsed = Math.max(0, nowMs - bucket.atMs)
      bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * ratePerSec) / 1000)
      bucket.atMs = nowMs
    }
    this.buckets.set(key, bucket)
    return bucket
  }
}
