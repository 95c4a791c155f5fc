import { fromHex } from './bytes.js'
import { N } from './group.js'

/**
 * Wesolowski's proof π = X^⌊2^T/p⌋ from checkpoints kept during the squaring pass, with
 * no second pass of T squarings (Wesolowski, "Efficient verifiable delay functions", §4.1;
 * the same trade-off chiavdf makes).
 *
 * Write q = ⌊2^T/p⌋ in base 2^k: q = Σ_m d_m 2^(k·m), and index digits as m = i·l + j
 * (0 ≤ j < l). The squaring pass keeps C_i = X^(2^(k·l·i)), so X^(2^(k·m)) = C_i^(2^(k·j))
 * and
 *   π = Π_j P_j^(2^(k·j)),  P_j = Π_i C_i^(d_{i·l+j}).
 * Each P_j is a bucket sum: y_b = Π {C_i : d_{i·l+j} = b}, then Π_b y_b^b = Π_b (Π_{b'≥b}
 * y_b') by running products from the top bucket; π follows by Horner over j. Cost:
 * ~T/k multiplications for the buckets, 2^(k+1)·l for the bucket sums, k·l squarings,
 * with ⌈T/(k·l)⌉ elements held.
 */

/** Called every `chunk` multiplications: reports progress, yields, and throws to abort. */
export type Tick = (done: number, total: number) => Promise<void>

export interface ProofParameters {
  /** digit width in bits */
  k: number
  /** digit positions per checkpoint */
  l: number
}

/** The k and l that minimise the proof's multiplications within `maxCheckpoints` held. */
export function proofParameters(T: number, maxCheckpoints: number): ProofParameters {
  let best = { k: 1, l: Math.max(1, Math.ceil(T / maxCheckpoints)), cost: Number.POSITIVE_INFINITY }
  for (let k = 1; k <= 20; k++) {
    const l = Math.max(1, Math.ceil(T / (k * maxCheckpoints)))
    const cost = T / k + l * 2 ** (k + 1) + l * k
    if (cost < best.cost) best = { k, l, cost }
  }
  return { k: best.k, l: best.l }
}

/** The base-2^k digits of q, least significant first. */
function digitsOf(q: bigint, k: number): Uint32Array {
  let hex = q.toString(16)
  if (hex.length % 2 === 1) hex = `0${hex}`
  const bytes = fromHex(hex) // big-endian
  const bits = q === 0n ? 0 : q.toString(2).length
  const count = Math.ceil(bits / k)
  const out = new Uint32Array(count)
  for (let m = 0; m < count; m++) {
    let d = 0
    for (let b = k - 1; b >= 0; b--) {
      const pos = m * k + b
      const byte = pos >> 3 < bytes.length ? (bytes[bytes.length - 1 - (pos >> 3)] as number) : 0
      d = (d << 1) | ((byte >> (pos & 7)) & 1)
    }
    out[m] = d
  }
  return out
}

/** π = X^q mod N from checkpoints[i] = X^(2^(k·l·i)) (enough of them to cover q's digits). */
export async function proofFromCheckpoints(
  checkpoints: readonly bigint[],
  params: ProofParameters,
  q: bigint,
  chunk: number,
  tick: Tick,
): Promise<bigint> {
  const { k, l } = params
  const digits = digitsOf(q, k)
  const rows = Math.ceil(digits.length / l)
  if (rows > checkpoints.length) throw new Error('too few checkpoints for the quotient')
  const total = l * (rows + 2 * 2 ** k) + (l - 1) * k
  // ops since the last tick; awaiting only at a tick keeps the hot loops synchronous
  let done = 0
  let pending = 0
  const due = (ops: number): boolean => {
    done += ops
    pending += ops
    if (pending < chunk) return false
    pending = 0
    return true
  }
  let pi = 1n
  const buckets: (bigint | undefined)[] = new Array(2 ** k)
  for (let j = l - 1; j >= 0; j--) {
    if (j < l - 1)
      for (let s = 0; s < k; s++) {
        pi = (pi * pi) % N
        if (due(1)) await tick(done, total)
      }
    buckets.fill(undefined)
    for (let i = 0; i < rows; i++) {
      const d = digits[i * l + j] ?? 0
      if (d === 0) continue
      const c = checkpoints[i] as bigint
      const held = buckets[d]
      buckets[d] = held === undefined ? c : (held * c) % N
      if (due(1)) await tick(done, total)
    }
    let running = 1n
    let sum = 1n
    for (let b = buckets.length - 1; b >= 1; b--) {
      const y = buckets[b]
      if (y !== undefined) running = running === 1n ? y : (running * y) % N
      if (running !== 1n) sum = sum === 1n ? running : (sum * running) % N
      if (due(2)) await tick(done, total)
    }
    pi = (pi * sum) % N
  }
  await tick(total, total)
  return pi
}
