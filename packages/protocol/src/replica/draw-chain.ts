import { privateDraw } from '../draws.js'
import { InvalidInputError } from '../errors.js'
import { sha256 } from '../signing.js'

/**
 * The private-draw chain (docs/PROTOCOL.md, "Draws"): a 32-byte pool state that absorbs
 * every folded id once, state = SHA-256(state ‖ id), in the order the replica folds them,
 * and the draw counter. A restart rebuilds the chain from the stored window in store
 * order, which an observer of that window can recompute; restoring the saved state mixes
 * the whole pre-restart history back in, so the chain never restarts from what anyone
 * can see, and the counter carries on.
 */

/** What a node saves to carry its draw chain across a restart. */
export interface DrawState {
  /** the chain's pool state, 32 bytes */
  poolState: Uint8Array
  /** draws taken so far from this chain */
  counter: number
}

export class DrawChain {
  /** pool state in bytes 0..31; bytes 32..63 take the 32 bytes being absorbed */
  private readonly input = new Uint8Array(64)
  private counter = 0

  /** state = SHA-256(state ‖ bytes) for 32 bytes (a folded id), through one reused buffer */
  absorb(bytes: Uint8Array): void {
    this.input.set(bytes, 32)
    this.input.set(sha256(this.input))
  }

  /** absorb() of the 32 bytes at `at` in `source`, without a view of them (a reload does 10⁶) */
  absorbAt(source: Uint8Array, at: number): void {
    const input = this.input
    for (let i = 0; i < 32; i++) input[32 + i] = source[at + i] as number
    input.set(sha256(input))
  }

  state(): DrawState {
    return { poolState: this.input.slice(0, 32), counter: this.counter }
  }

  /**
   * Takes a saved state back after a restart: state = SHA-256(saved ‖ rebuilt), so the
   * ids absorbed again while reloading and the whole history before the restart both
   * stay in; the counter continues from the saved one (never below what it is now).
   */
  restore(saved: DrawState): void {
    if (!(saved.poolState instanceof Uint8Array) || saved.poolState.length !== 32)
      throw new InvalidInputError(`pool state must be 32 bytes, got ${saved.poolState?.length}`)
    if (!Number.isSafeInteger(saved.counter) || saved.counter < 0)
      throw new InvalidInputError(
        `draw counter must be a non-negative integer, got ${saved.counter}`,
      )
    const rebuilt = this.input.slice(0, 32)
    this.input.set(saved.poolState)
    this.absorb(rebuilt)
    this.counter = Math.max(this.counter, saved.counter)
  }

  /** One private draw (see draws.ts); the counter advances only when it succeeds. */
  draw(input: {
    network: string
    osRandom: Uint8Array
    length: number
    creditBits: number
    allowLowEntropy: boolean
  }): Uint8Array {
    const out = privateDraw({
      ...input,
      poolState: this.input.subarray(0, 32),
      counter: this.counter,
    })
    this.counter++
    return out
  }
}
