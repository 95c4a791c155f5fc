/** Key layout shared by the store's record kinds: epochs as fixed-width decimal. */
export const EPOCH_DIGITS = 16

export function epochKey(epoch: number): string {
  return epoch.toString().padStart(EPOCH_DIGITS, '0')
}

/** 32-byte ids stored back to back in one value. */
export function splitIds(value: Uint8Array): Uint8Array[] {
  const ids: Uint8Array[] = []
  for (let i = 0; i + 32 <= value.length; i += 32) ids.push(value.slice(i, i + 32))
  return ids
}

export function joinIds(ids: readonly Uint8Array[]): Uint8Array {
  const value = new Uint8Array(ids.length * 32)
  for (const [i, id] of ids.entries()) value.set(id, i * 32)
  return value
}
