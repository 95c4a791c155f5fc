/** Lowercase or uppercase hex to bytes; callers check the syntax (schemas, ids we made). */
export function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'))
}
