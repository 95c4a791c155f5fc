import type { AlaraComponents, Startable } from '../components.js'
import type { EpochService } from '../node/epochs.js'
import type { Logger } from '../util/logger.js'
import type { MembershipService } from './membership-service.js'
import type { TrustEntry } from './trust-book.js'

/** The answer of `DELETE /v1/trust/:peerId`. */
export interface TrustRemoveResponse {
  peerId: string
  removed: boolean
}

export interface TrustInit {
  epochs: Pick<EpochService, 'commitRepairs'>
  /** after `trust rm`, a peer connected directly from the LAN is a `lan` member again */
  membership?: Pick<MembershipService, 'reconsider'>
}

/**
 * Trust changes from the API: persisted by the book, applied to the fold (the replica
 * re-folds), and every closed, non-final epoch whose digest moved is voted again.
 */
export class TrustService implements Startable {
  private readonly log: Logger

  constructor(
    private readonly components: AlaraComponents,
    private readonly init: TrustInit,
  ) {
    this.log = components.logger('alara:trust')
  }

  start(): void {}
  stop(): void {}

  list(): TrustEntry[] {
    return this.components.trust.list().sort((a, b) => (a.peerId < b.peerId ? -1 : 1))
  }

  async set(peerId: string, trust: number, active: boolean): Promise<TrustEntry> {
    const { originHex } = await this.components.trust.set(peerId, trust, active)
    this.components.state.replica.setTrust(originHex, { trust, active })
    this.markChangedDigests()
    return { peerId, trust, active, source: 'manual' }
  }

  async remove(peerId: string): Promise<TrustRemoveResponse> {
    const { trust, state } = this.components
    const { originHex } = await trust.remove(peerId)
    this.init.membership?.reconsider(peerId)
    state.replica.setTrust(originHex, trust.lookup(originHex))
    this.markChangedDigests()
    return { peerId, removed: true }
  }

  /** A trust change re-folds non-final epochs: those already voted are voted again. */
  private markChangedDigests(): void {
    const { state } = this.components
    // commitRepairs votes again only where the digest really moved
    for (const r of state.closed) state.digestChanged.add(r)
    void this.init.epochs
      .commitRepairs()
      .catch((err: Error) => this.log.warn(`re-vote failed: ${err.message}`))
  }
}
