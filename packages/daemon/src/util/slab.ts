/**
 * Copies many small byte strings into shared slabs: each copy is a view of a slab, not a
 * buffer of its own. V8 gives every ArrayBuffer a backing-store record of its own (over
 * 100 bytes beside the data); a window of 10⁵–10⁶ contributions kept in slabs saves that
 * per contribution. A slab lives while any view of it does: filled in store order (epoch
 * by epoch), slabs are freed in about the order the window prunes.
 */
export class SlabCopier {
  private slab = new Uint8Array(0)
  private used = 0

  constructor(private readonly slabBytes = 64 * 1024) {}

  copy(bytes: Uint8Array): Uint8Array {
    if (bytes.length > this.slabBytes / 4) return bytes.slice()
    if (this.used + bytes.length > this.slab.length) {
      this.slab = new Uint8Array(this.slabBytes)
      this.used = 0
    }
    const view = this.slab.subarray(this.used, this.used + bytes.length)
    view.set(bytes)
    this.used += bytes.length
    return view
  }
}
