import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BadStoreKeyError } from '../errors.js'
import { writeFileAtomic } from '../util/atomic-file.js'

/**
 * The store key (`store.key`, 32 random bytes, mode 0600 like identity.key): the local
 * secret under which this node seals each contribution it stores, proving it verified the
 * signature before storing it (store-seal.ts). Made by `alara init` (a new one with
 * --force), or by the first daemon start of a repo made before it existed. Never sent
 * anywhere; losing or changing it only costs one re-verification of the store.
 */
export const STORE_KEY_FILE = 'store.key'
export const STORE_KEY_BYTES = 32

export async function writeNewStoreKey(home: string): Promise<Uint8Array> {
  const key = new Uint8Array(randomBytes(STORE_KEY_BYTES))
  await writeFileAtomic(join(home, STORE_KEY_FILE), key)
  return key
}

/** The repo's store key; made now when the repo has none (a repo older than the key). */
export async function loadStoreKey(home: string): Promise<Uint8Array> {
  const path = join(home, STORE_KEY_FILE)
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return writeNewStoreKey(home)
    throw new BadStoreKeyError(`${path} cannot be read: ${(err as Error).message}`)
  }
  if (bytes.length !== STORE_KEY_BYTES)
    throw new BadStoreKeyError(
      `${path} must hold ${STORE_KEY_BYTES} bytes, found ${bytes.length}; delete it to make a new one (the store is then re-verified once)`,
    )
  return new Uint8Array(bytes)
}
