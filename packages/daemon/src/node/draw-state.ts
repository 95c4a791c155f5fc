import type { DrawState } from '@alara/protocol'
import type { AlaraComponents } from '../components.js'
import { CorruptStoreError } from '../errors.js'

/**
 * The private-draw chain across restarts (docs/PROTOCOL.md, "Draws", "Restarts"): saved
 * after every private draw, before the draw is answered, and at shutdown; restored at
 * start once the stored window is reloaded, before the API serves a draw. Without it a
 * restarted node would draw from a chain rebuilt from the stored window alone, which
 * anyone holding that window can recompute, with the counter back at 0.
 *
 * Stored as version (1 byte, 1) ‖ pool state (32 bytes) ‖ counter (8 bytes, big-endian).
 */

const VERSION = 1
const LENGTH = 1 + 32 + 8

export function encodeDrawState(state: DrawState): Uint8Array {
  const out = new Uint8Array(LENGTH)
  out[0] = VERSION
  out.set(state.poolState, 1)
  new DataView(out.buffer).setBigUint64(33, BigInt(state.counter))
  return out
}

export function decodeDrawState(bytes: Uint8Array): DrawState {
  if (bytes.length !== LENGTH || bytes[0] !== VERSION)
    throw new CorruptStoreError(
      `the saved draw state is not one (${bytes.length} bytes, version ${bytes[0]})`,
    )
  const counter = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(33)
  if (counter > BigInt(Number.MAX_SAFE_INTEGER))
    throw new CorruptStoreError(`the saved draw counter ${counter} is out of range`)
  return { poolState: Uint8Array.from(bytes.subarray(1, 33)), counter: Number(counter) }
}

/** Saves the replica's chain now (synced); resolves once it is on disk. */
export function saveDrawState(c: Pick<AlaraComponents, 'state' | 'store'>): Promise<void> {
  return c.store.putDrawState(() => encodeDrawState(c.state.replica.drawState()))
}

/**
 * Mixes the saved chain back into the replica's rebuilt one (call it after the stored
 * window is reloaded). Nothing saved (first start): the rebuilt chain stays as it is. An
 * unreadable save is reported and the rebuilt chain used: draws stay at least as strong
 * as the OS half, as on a first start.
 */
export async function restoreDrawState(c: AlaraComponents): Promise<'restored' | 'none'> {
  const bytes = await c.store.getDrawState()
  if (bytes === undefined) return 'none'
  try {
    c.state.replica.restoreDrawState(decodeDrawState(bytes))
    c.logger('alara:restore').info(
      `restored the private-draw chain (${c.state.replica.drawState().counter} draws so far)`,
    )
    return 'restored'
  } catch (err) {
    c.logger('alara:restore').warn(
      `draw state: ${(err as Error).message}; the chain is rebuilt from the stored window only`,
    )
    return 'none'
  }
}
