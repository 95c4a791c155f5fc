/**
 * Per-peer back-pressure on gossip: when one forwarding peer has more than `pauseAt`
 * messages being judged here (queued for or on a verify thread), this node stops reading
 * that peer's inbound gossipsub stream until they drain below half of it. A paused libp2p
 * stream keeps what arrives in its read buffer and yamux sends no more window updates, so
 * the sender's window closes and the flood waits in the sender (at most one 256 KiB window
 * is held here: p2p/libp2p-node.ts), while other peers' streams are read as before.
 * Before this, a flood was read as fast as the main thread could and its excess shed as
 * BUSY after the read (noise, yamux and gossipsub's decode: most of the main thread).
 *
 * gossipsub 17 reads each peer's inbound stream in a `for await` over the raw stream
 * (InboundStream in its dist/src/stream.js) and offers no pause of its own; the raw stream
 * (@libp2p/utils AbstractMessageStream) has pause() and resume(). Pure bookkeeping here:
 * which stream belongs to a peer is the caller's (`streamOf`).
 */
export interface PausableStream {
  pause(): void
  resume(): void
}

export interface InboundBackPressureInit {
  /** messages of one peer being judged above which its stream is paused; resumed below half */
  pauseAt: number
  /** the peer's inbound gossip stream now, if it has one */
  streamOf(peer: string): PausableStream | undefined
}

export class InboundBackPressure {
  private readonly judging = new Map<string, number>()
  /** paused streams by peer: the very stream paused is the one resumed */
  private readonly paused = new Map<string, PausableStream>()
  private pauses = 0

  constructor(private readonly init: InboundBackPressureInit) {
    if (!(init.pauseAt >= 2))
      throw new RangeError(`pauseAt must be at least 2, got ${init.pauseAt}`)
  }

  /** A message of `peer` goes to be judged. */
  begin(peer: string): void {
    const n = (this.judging.get(peer) ?? 0) + 1
    this.judging.set(peer, n)
    if (n <= this.init.pauseAt || this.paused.has(peer)) return
    const stream = this.init.streamOf(peer)
    if (stream === undefined || !settles(() => stream.pause())) return
    this.paused.set(peer, stream)
    this.pauses++
  }

  /** A message of `peer` was judged. */
  end(peer: string): void {
    const n = (this.judging.get(peer) ?? 1) - 1
    if (n <= 0) this.judging.delete(peer)
    else this.judging.set(peer, n)
    const stream = this.paused.get(peer)
    if (stream === undefined || n >= this.init.pauseAt / 2) return
    this.paused.delete(peer)
    settles(() => stream.resume())
  }

  isPaused(peer: string): boolean {
    return this.paused.has(peer)
  }

  stats(): { judging: number; paused: number; pauses: number } {
    let judging = 0
    for (const n of this.judging.values()) judging += n
    return { judging, paused: this.paused.size, pauses: this.pauses }
  }
}

/** A stream closing meanwhile refuses pause and resume (StreamStateError): nothing to hold then. */
function settles(step: () => void): boolean {
  try {
    step()
    return true
  } catch {
    return false
  }
}
