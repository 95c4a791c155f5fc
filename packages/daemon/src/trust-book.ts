import { InvalidInputError, originOf, toHex } from '@alara/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import { NotFoundError } from './errors.js'
import type { AlaraStore, TrustRecord } from './store.js'

/**
 * The local trust store: a level in [0, 1] and an active flag per peer, persisted and
 * synced before a change is acknowledged. Lookups are by origin hex (the fold's key);
 * the user-facing key is the peer id string.
 */
export class TrustBook {
  private readonly byPeer = new Map<string, TrustRecord>()
  private readonly byOrigin = new Map<string, TrustRecord>()

  private constructor(
    private readonly store: AlaraStore,
    private readonly selfPeerId: string,
    private readonly defaultTrust: number,
  ) {}

  static async load(
    store: AlaraStore,
    selfPeerId: string,
    defaultTrust: number,
  ): Promise<TrustBook> {
    const book = new TrustBook(store, selfPeerId, defaultTrust)
    for (const [peerId, record] of await store.trust()) book.remember(peerId, record)
    return book
  }

  /** The fold's view: self is always fully trusted; unknown peers get the default. */
  lookup(originHex: string, selfOriginHex: string): TrustRecord {
    if (originHex === selfOriginHex) return { trust: 1, active: true }
    return this.byOrigin.get(originHex) ?? { trust: this.defaultTrust, active: true }
  }

  levelOf(peerId: string): TrustRecord {
    if (peerId === this.selfPeerId) return { trust: 1, active: true }
    return this.byPeer.get(peerId) ?? { trust: this.defaultTrust, active: true }
  }

  list(): Array<{ peerId: string; trust: number; active: boolean }> {
    return [...this.byPeer].map(([peerId, r]) => ({ peerId, trust: r.trust, active: r.active }))
  }

  async set(peerId: string, trust: number, active: boolean): Promise<{ originHex: string }> {
    const originHex = this.checkPeer(peerId)
    if (!(trust >= 0 && trust <= 1))
      throw new InvalidInputError(`trust must be in [0, 1], got ${trust}`)
    const record = { trust, active }
    await this.store.putTrust(peerId, record)
    this.remember(peerId, record)
    return { originHex }
  }

  async remove(peerId: string): Promise<{ originHex: string }> {
    const originHex = this.checkPeer(peerId)
    if (!this.byPeer.has(peerId))
      throw new NotFoundError(`${peerId} is not in the trust store (alara trust ls lists it)`)
    await this.store.deleteTrust(peerId)
    this.byPeer.delete(peerId)
    this.byOrigin.delete(originHex)
    return { originHex }
  }

  private remember(peerId: string, record: TrustRecord): void {
    this.byPeer.set(peerId, record)
    this.byOrigin.set(originHexOf(peerId), record)
  }

  private checkPeer(peerId: string): string {
    if (peerId === this.selfPeerId)
      throw new InvalidInputError("this node's own trust is always 1 and cannot be changed")
    return originHexOf(peerId)
  }
}

/** The origin bytes (hex) of a peer id string; a clear error for anything else. */
export function originHexOf(peerId: string): string {
  let parsed: ReturnType<typeof peerIdFromString>
  try {
    parsed = peerIdFromString(peerId)
  } catch {
    throw new InvalidInputError(`'${peerId}' is not a peer id (expected e.g. 12D3KooW…)`)
  }
  if (parsed.type !== 'Ed25519')
    throw new InvalidInputError(`'${peerId}' is not an Ed25519 peer id; ALARA origins are Ed25519`)
  return toHex(originOf(parsed))
}
