import type {
  ComponentLogger,
  ConnectionGater,
  ConnectionProtector,
  MultiaddrConnection,
} from '@libp2p/interface'
import { preSharedKey } from '@libp2p/pnet'
import { KeyExchangeFailedError } from '../errors.js'
import type { Logger } from '../util/logger.js'

/**
 * What a closed network (a network key, libp2p private networks) looks like when it goes
 * wrong, in words a user understands. libp2p reports a key mismatch only as a failed
 * encryption handshake ("read ECONNRESET" with another key, "Message length length too
 * long" without one): the pre-shared key scrambles the bytes before the handshake reads
 * them, so neither side can tell more than that the other does not share its key.
 */

const TIMED_OUT = /\baborted\b|\btimed? ?out\b|\btimeout\b/i

/** The one-line cause of a dial refused for a network key, or undefined for other failures. */
export function keyRefusalOf(err: unknown, closed: boolean): string | undefined {
  if (!isHandshakeFailure(err)) return undefined
  const cause = closed
    ? 'the peer refused the connection: it is not on this closed network (it holds no network key, or another one than this node)'
    : 'the peer refused the connection: it is on a closed network and this node does not hold its key (or holds another one)'
  // Without the key a peer often waits for bytes that make no sense to it until the dial's
  // deadline, so a timeout is the common refusal; but a starved peer times out the same way.
  return handshakeTimedOut(err)
    ? `${cause}; the handshake timed out, which an overloaded peer or machine can also cause`
    : cause
}

/** The handshake was cut off by the dial's deadline (libp2p keeps only the message). */
function handshakeTimedOut(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false
  const inner = err as { message?: unknown; errors?: unknown[]; cause?: unknown }
  if (typeof inner.message === 'string' && TIMED_OUT.test(inner.message)) return true
  if (Array.isArray(inner.errors) && inner.errors.some((e) => handshakeTimedOut(e, depth + 1)))
    return true
  return inner.cause !== undefined && handshakeTimedOut(inner.cause, depth + 1)
}

/**
 * A failed encryption handshake (libp2p's `EncryptionFailedError`), possibly wrapped: as
 * `AggregateError` when several addresses were tried, or as a cause.
 */
export function isHandshakeFailure(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false
  const { name, message } = err as Error
  if (name === 'KeyExchangeFailedError') return true
  // a handshake that got far enough to see the wrong peer id is not about a network key
  if (name === 'EncryptionFailedError') return !/does not match expected remote/.test(message)
  const inner = err as { errors?: unknown[]; cause?: unknown }
  if (Array.isArray(inner.errors) && inner.errors.some((e) => isHandshakeFailure(e, depth + 1)))
    return true
  return inner.cause !== undefined && isHandshakeFailure(inner.cause, depth + 1)
}

/**
 * `@libp2p/pnet`'s protector, its failures named: a peer without a key (or with another
 * one) resets the connection during the nonce exchange, which libp2p reports as a bare
 * "read ECONNRESET"; after the exchange, a mismatch shows as `EncryptionFailedError`.
 */
export function namedPreSharedKey(
  psk: Uint8Array,
): (components: { logger: ComponentLogger }) => ConnectionProtector {
  const factory = preSharedKey({ psk }) as (components: {
    logger: ComponentLogger
  }) => ConnectionProtector
  return (components) => {
    const inner = factory(components)
    return {
      protect: async (connection, options) => {
        try {
          return await inner.protect(connection, options)
        } catch (err) {
          // A holder of the same key sends its nonce at once, without waiting for ours: a
          // reset, a stray byte or silence until the dial's deadline all mean no key.
          throw new KeyExchangeFailedError(
            `network key exchange failed: ${(err as Error).message}`,
            { cause: err },
          )
        }
      },
    }
  }
}

/** The same cause seen from the side that was dialled. */
export function inboundRefusalOf(remote: string, closed: boolean): string {
  return closed
    ? `inbound connection from ${remote} refused during its handshake: the peer most likely does not hold this closed network's key (or holds another one)`
    : `inbound connection from ${remote} failed during its handshake: the peer is most likely on a closed network (it holds a network key this node does not)`
}

/** Remembers up to `limit` keys and says whether a key is new: to log a cause once. */
export class OnceSet {
  private readonly seen = new Set<string>()
  constructor(private readonly limit = 1000) {}

  first(key: string): boolean {
    if (this.seen.has(key)) return false
    if (this.seen.size >= this.limit) this.seen.clear()
    this.seen.add(key)
    return true
  }

  forget(key: string): void {
    this.seen.delete(key)
  }
}

/**
 * A connection gater that watches inbound handshakes (it denies nothing): a connection
 * that closes after it was accepted but before it was encrypted failed its handshake,
 * which is what a peer without this network's key (or with one, when this node has
 * none) looks like. The cause is logged at debug level, once per remote host, since
 * discovery retries every few seconds.
 */
export function handshakeWatcher(log: Logger, closed: boolean): ConnectionGater {
  const pending = new WeakSet<MultiaddrConnection>()
  const logged = new OnceSet()
  return {
    denyInboundConnection: (maConn) => {
      pending.add(maConn)
      maConn.addEventListener('close', () => {
        if (!pending.has(maConn)) return
        pending.delete(maConn)
        const host = hostOf(maConn.remoteAddr.toString())
        if (logged.first(host)) log.debug(() => inboundRefusalOf(host, closed))
      })
      return false
    },
    denyInboundEncryptedConnection: (_peer, maConn) => {
      pending.delete(maConn)
      return false
    },
  }
}

/** `/ip4/1.2.3.4/tcp/5` → `/ip4/1.2.3.4`: the port of an inbound connection changes. */
function hostOf(addr: string): string {
  const parts = addr.split('/')
  return parts.slice(0, 3).join('/')
}
