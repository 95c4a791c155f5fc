import { InvalidInputError } from '../errors.js'
import { assertU64, LayoutWriter } from '../layout.js'
import { dst } from './bytes.js'
import { abs, ELEMENT_BYTES, enc, GID, multiPowN, N } from './group.js'
import { hashPrime } from './hash-prime.js'
import { modPow } from './modular.js'
import { proofFromCheckpoints, proofParameters } from './wesolowski.js'

/**
 * The time-lock of version 2: y = X^(2^T) by T sequential squarings mod N, and
 * Wesolowski's proof π = X^⌊2^T/p⌋ that anyone checks in milliseconds as
 * |π^p · X^(2^T mod p)| = y, p = HashPrime(DST("prime") ‖ GID ‖ u64 T ‖ enc X ‖ enc y).
 *
 * The squarings are the point (nobody can do them much faster in parallel), so the loop
 * runs in chunks: after each one it reports progress, yields to the event loop (so a
 * worker thread still hears its messages) and honours an AbortSignal.
 */

const DEFAULT_CHUNK = 1 << 16 // ~0.25 s of squarings at ~270k/s
const DEFAULT_MAX_CHECKPOINTS = 1 << 16 // ~16 MB of elements at T = 2^24

export interface TimelockProgress {
  phase: 'squarings' | 'proof'
  done: number
  total: number
}

export interface TimelockOptions {
  /** checked after every chunk: aborting throws the signal's reason */
  signal?: AbortSignal
  onProgress?: (progress: TimelockProgress) => void
  /** squarings (then proof multiplications) between progress reports and abort checks */
  chunk?: number
  /** elements kept for the proof; fewer means more multiplications to build it */
  maxCheckpoints?: number
}

export interface TimelockOutput {
  /** |X^(2^T)| */
  y: bigint
  /** Wesolowski's π = |X^⌊2^T/p⌋| */
  proof: bigint
  /** p, the HashPrime of (T, X, y) */
  prime: bigint
}

function assertSquarings(T: number): void {
  assertU64(T, 'T')
  if (T < 1) throw new InvalidInputError('T must be at least 1 squaring')
}

const PRIME_PREFIX = dst('prime')

/** The bytes HashPrime starts from: DST("prime") ‖ GID ‖ u64 T ‖ enc X ‖ enc y. */
export function timelockPrimeSeed(x: bigint, T: number, y: bigint): Uint8Array {
  return new LayoutWriter(PRIME_PREFIX.length + GID.length + 8 + 2 * ELEMENT_BYTES)
    .raw(PRIME_PREFIX)
    .raw(GID)
    .u64(T, 'T')
    .raw(enc(x))
    .raw(enc(y)).bytes
}

/** p = HashPrime(DST("prime") ‖ GID ‖ u64 T ‖ enc X ‖ enc y). */
export function timelockPrime(x: bigint, T: number, y: bigint): bigint {
  return hashPrime(timelockPrimeSeed(x, T, y))
}

const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** y = |X^(2^T)| by T squarings, and its proof (see the options for progress and abort). */
export async function evaluateTimelock(
  x: bigint,
  T: number,
  options: TimelockOptions = {},
): Promise<TimelockOutput> {
  assertSquarings(T)
  const { signal, onProgress } = options
  const chunk = Math.max(1, options.chunk ?? DEFAULT_CHUNK)
  const params = proofParameters(T, options.maxCheckpoints ?? DEFAULT_MAX_CHECKPOINTS)
  const interval = params.k * params.l
  const checkpoints: bigint[] = []
  signal?.throwIfAborted()
  let v = abs(x)
  for (let done = 0; done < T; ) {
    const end = Math.min(T, done + chunk)
    for (; done < end; done++) {
      if (done % interval === 0) checkpoints.push(v)
      v = (v * v) % N
    }
    onProgress?.({ phase: 'squarings', done, total: T })
    await pause()
    signal?.throwIfAborted()
  }
  const y = abs(v)
  const prime = timelockPrime(x, T, y)
  const q = (1n << BigInt(T)) / prime
  const pi = await proofFromCheckpoints(checkpoints, params, q, chunk, async (done, total) => {
    onProgress?.({ phase: 'proof', done, total })
    await pause()
    signal?.throwIfAborted()
  })
  return { y, proof: abs(pi), prime }
}

const canonical = (v: bigint): boolean => v >= 1n && abs(v) === v

/**
 * True when y = |X^(2^T)| as the proof attests: |π^p · X^(2^T mod p)| = y, with y and π
 * canonical (π = 1 only where T < 264 makes it so).
 */
export function verifyTimelock(x: bigint, T: number, y: bigint, proof: bigint): boolean {
  assertSquarings(T)
  if (!canonical(x) || !canonical(y) || !canonical(proof)) return false
  const prime = timelockPrime(x, T, y)
  const r = modPow(2n, BigInt(T), prime)
  return abs(multiPowN([proof, x], [prime, r])) === y
}
