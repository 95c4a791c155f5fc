import { randomBytes } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fromHex } from '@alara/protocol'
import { NetworkKeyError } from '../errors.js'
import { writeFileAtomic } from '../util/atomic-file.js'

/**
 * A closed network's pre-shared key (libp2p private networks, `@libp2p/pnet`): 32 random
 * bytes in the kubo swarm-key text format, so the same file works with kubo's tools:
 *
 *     /key/swarm/psk/1.0.0/
 *     /base16/
 *     <64 hex digits>
 *
 * Kept in `HOME/network.key` (mode 0600). A node holding one connects only to holders of
 * the same key, and counts every origin and voter as a member (docs/PROTOCOL.md).
 */

export const NETWORK_KEY_FILE = 'network.key'
export const NETWORK_KEY_BYTES = 32

const HEADER = '/key/swarm/psk/1.0.0/'
const ENCODING = '/base16/'

/** The canonical file text of a 32-byte key (lower-case hex, one trailing newline). */
export function formatNetworkKey(key: Uint8Array): string {
  if (key.length !== NETWORK_KEY_BYTES)
    throw new NetworkKeyError(`a network key is ${NETWORK_KEY_BYTES} bytes, got ${key.length}`)
  return `${HEADER}\n${ENCODING}\n${Buffer.from(key).toString('hex')}\n`
}

/**
 * The key of a swarm-key text, strictly: the two header lines, then exactly 64 hex
 * digits (either case), then nothing but an optional line ending. `source` names the file
 * in the error. Unlike `@libp2p/pnet`'s own decoder, a wrong header is refused, so a file
 * of another kind is never taken for a key.
 */
export function parseNetworkKey(text: string, source = 'the network key'): Uint8Array {
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  if (lines.at(-1) === '') lines.pop()
  const why =
    lines.length !== 3
      ? `expected 3 lines, found ${lines.length}`
      : lines[0] !== HEADER
        ? `the first line must be ${HEADER}`
        : lines[1] !== ENCODING
          ? `the second line must be ${ENCODING} (only base16 keys are supported)`
          : !/^[0-9a-fA-F]{64}$/.test(lines[2] ?? '')
            ? `the third line must be ${NETWORK_KEY_BYTES * 2} hex digits`
            : undefined
  if (why !== undefined)
    throw new NetworkKeyError(
      `${source} is not a network key (${why}); make one with: alara init --new-network-key`,
    )
  return fromHex(lines[2] as string)
}

/** A new random key. */
export function generateNetworkKey(): Uint8Array {
  return new Uint8Array(randomBytes(NETWORK_KEY_BYTES))
}

/** The swarm-key text `@libp2p/pnet`'s `preSharedKey({ psk })` expects, as bytes. */
export function pskOf(key: Uint8Array): Uint8Array {
  return new TextEncoder().encode(formatNetworkKey(key))
}

/** Reads a key file, refusing anything that is not one (a missing file is an error too). */
export async function readNetworkKeyFile(file: string): Promise<Uint8Array> {
  let text: string
  try {
    const info = await stat(file)
    if (!info.isFile()) throw new NetworkKeyError(`${file} is not a file`)
    // a key file is about 100 bytes: anything large is something else
    if (info.size > 1024)
      throw new NetworkKeyError(`${file} is not a network key (${info.size} bytes)`)
    text = await readFile(file, 'utf8')
  } catch (err) {
    if (err instanceof NetworkKeyError) throw err
    throw new NetworkKeyError(`cannot read ${file}: ${(err as Error).message}`)
  }
  return parseNetworkKey(text, file)
}

/** The repo's key, or undefined for an open network (no `network.key`). */
export async function loadRepoNetworkKey(home: string): Promise<Uint8Array | undefined> {
  const file = join(home, NETWORK_KEY_FILE)
  try {
    await stat(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new NetworkKeyError(`cannot read ${file}: ${(err as Error).message}`)
  }
  return readNetworkKeyFile(file)
}

/** Writes the repo's key file atomically, mode 0600 (it is a secret of the group). */
export async function writeRepoNetworkKey(home: string, key: Uint8Array): Promise<string> {
  const file = join(home, NETWORK_KEY_FILE)
  await writeFileAtomic(file, formatNetworkKey(key), { mode: 0o600 })
  return file
}

export function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

/**
 * What `alara init` does with a network key, decided (and an imported file read and
 * checked) before anything is written; `write()` then writes it, or nothing when no key
 * was asked for. A repo's existing key is replaced only with `force`: every member would
 * need the new one.
 */
export async function initNetworkKey(
  home: string,
  opts: { newNetworkKey?: boolean; networkKeyFile?: string; force?: boolean },
): Promise<{ write(): Promise<string | undefined> }> {
  if (opts.newNetworkKey === true && opts.networkKeyFile !== undefined)
    throw new NetworkKeyError('give either --new-network-key or --network-key FILE, not both')
  const key =
    opts.networkKeyFile !== undefined
      ? await readNetworkKeyFile(opts.networkKeyFile)
      : opts.newNetworkKey === true
        ? generateNetworkKey()
        : undefined
  if (key === undefined) return { write: async () => undefined }
  const existing = await loadRepoNetworkKey(home).catch(() => undefined)
  const file = join(home, NETWORK_KEY_FILE)
  if (existing !== undefined && !sameKey(existing, key) && opts.force !== true)
    throw new NetworkKeyError(
      `${file} already holds a network key; remove it first or use --force (every member then needs the new key)`,
    )
  return {
    write: async () =>
      existing !== undefined && sameKey(existing, key) ? file : writeRepoNetworkKey(home, key),
  }
}
