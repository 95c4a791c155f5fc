import { InvalidInputError, originOf, toHex } from '@alara/protocol'
import { peerIdFromString } from '@libp2p/peer-id'
import { NotFoundError } from '../errors.js'
import type { AlaraStore, TrustRecord } from '../store/store.js'
import {
  lanRoomLeft,
  type MemberEntry,
  type Standing,
  standingOf,
  type TrustSource,
} from './membership-rules.js'

export interface TrustBookOptions {
  /** the node holds a network key: every peer is a member (docs/PROTOCOL.md, "Membership") */
  closed?: boolean
  /** at most this many automatic `lan` entries */
  maxMembers?: number
}

/** A trust-store entry, as `list()` gives it and the control API answers it (`GET /v1/trust`, `PUT`). */
export interface TrustEntry {
  peerId: string
  trust: number
  active: boolean
  /** `manual`: set by `alara trust set`; `lan`: added for a direct LAN connection */
  source: TrustSource
}

/**
 * The local trust store and membership state: a level in [0, 1], an active flag and a
 * source (`manual`: `alara trust set`; `lan`: added automatically for a direct LAN
 * connection) per peer, persisted. Manual changes are synced before they are
 * acknowledged; LAN entries take effect in memory at once and are written in the
 * background. Lookups are by origin hex (the fold's key); the user-facing key is the
 * peer id string.
 */
export class TrustBook {
  private readonly byPeer = new Map<string, MemberEntry>()
  private readonly byOrigin = new Map<string, MemberEntry>()
  private readonly selfHex: string
  private lanEntries = 0
  private fullLogged = false

  private constructor(
    private readonly store: AlaraStore,
    private readonly selfPeerId: string,
    private readonly defaultTrust: number,
    private readonly options: Required<TrustBookOptions>,
  ) {
    this.selfHex = originHexOf(selfPeerId)
  }

  static async load(
    store: AlaraStore,
    selfPeerId: string,
    defaultTrust: number,
    options: TrustBookOptions = {},
  ): Promise<TrustBook> {
    const book = new TrustBook(store, selfPeerId, defaultTrust, {
      closed: options.closed ?? false,
      maxMembers: options.maxMembers ?? 1000,
    })
    for (const [peerId, record] of await store.trust())
      book.remember(peerId, { ...record, source: record.source ?? 'manual' })
    return book
  }

  get closed(): boolean {
    return this.options.closed
  }

  /** The fold's view by origin hex: see `recordOf`. */
  lookup(originHex: string): TrustRecord {
    return this.recordOf(this.byOrigin.get(originHex), originHex === this.selfHex)
  }

  /** The same view by peer id string (peers list, repair priority). */
  levelOf(peerId: string): TrustRecord {
    return this.recordOf(this.byPeer.get(peerId), peerId === this.selfPeerId)
  }

  /** Self is always fully trusted; unknown peers get the default. */
  private recordOf(entry: MemberEntry | undefined, isSelf: boolean): TrustRecord {
    if (isSelf) return { trust: 1, active: true }
    return entry === undefined
      ? { trust: this.defaultTrust, active: true }
      : { trust: entry.trust, active: entry.active }
  }

  /** Member, admitted (contributions stored) or stranger, with the trust that applies. */
  standing(originHex: string): Standing {
    return standingOf(this.byOrigin.get(originHex), originHex === this.selfHex, {
      closed: this.options.closed,
      defaultTrust: this.defaultTrust,
    })
  }

  isMember(originHex: string): boolean {
    return this.standing(originHex).member
  }

  /** Whether this origin's contributions are taken (members, and listed peers). */
  admits(originHex: string): boolean {
    return this.standing(originHex).admitted
  }

  /** Members by peer id string: a convenience for peers, repair and catch-up. */
  isMemberPeer(peerId: string): boolean {
    try {
      return this.isMember(originHexOf(peerId))
    } catch {
      return false
    }
  }

  list(): TrustEntry[] {
    return [...this.byPeer].map(([peerId, r]) => ({
      peerId,
      trust: r.trust,
      active: r.active,
      source: r.source,
    }))
  }

  /**
   * Adds an automatic `lan` entry at defaultTrust for a peer not listed yet, within
   * maxMembers; in memory at once, the returned promise is the background write.
   * Undefined when nothing was added (listed already, or no room: logged once by the caller).
   */
  addLan(peerId: string, originHex: string): Promise<void> | undefined {
    if (this.byPeer.has(peerId) || originHex === this.selfHex) return undefined
    if (!lanRoomLeft(this.lanEntries, this.options.maxMembers)) {
      if (!this.fullLogged) {
        this.fullLogged = true
        return Promise.reject(
          new Error(`maxMembers (${this.options.maxMembers}) LAN members reached; not adding more`),
        )
      }
      return undefined
    }
    const entry: MemberEntry = { trust: this.defaultTrust, active: true, source: 'lan' }
    this.remember(peerId, entry)
    return this.store.putTrust(peerId, entry)
  }

  async set(peerId: string, trust: number, active: boolean): Promise<{ originHex: string }> {
    const originHex = this.checkPeer(peerId)
    if (!(trust >= 0 && trust <= 1))
      throw new InvalidInputError(`trust must be in [0, 1], got ${trust}`)
    const entry: MemberEntry = { trust, active, source: 'manual' }
    await this.store.putTrust(peerId, entry)
    this.remember(peerId, entry)
    return { originHex }
  }

  async remove(peerId: string): Promise<{ originHex: string }> {
    const originHex = this.checkPeer(peerId)
    if (!this.byPeer.has(peerId))
      throw new NotFoundError(`${peerId} is not in the trust store (alara trust ls lists it)`)
    await this.store.deleteTrust(peerId)
    this.forget(peerId, originHex)
    return { originHex }
  }

  private remember(peerId: string, entry: MemberEntry): void {
    const old = this.byPeer.get(peerId)
    if (old?.source === 'lan') this.lanEntries--
    if (entry.source === 'lan') this.lanEntries++
    this.byPeer.set(peerId, entry)
    this.byOrigin.set(originHexOf(peerId), entry)
  }

  private forget(peerId: string, originHex: string): void {
    if (this.byPeer.get(peerId)?.source === 'lan') this.lanEntries--
    this.byPeer.delete(peerId)
    this.byOrigin.delete(originHex)
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
