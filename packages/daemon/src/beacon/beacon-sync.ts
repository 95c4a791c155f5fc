import { admissionDeadlineMs, epochCloseMs, fromHex, type HeldCommit } from '@alara/protocol'
import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import type { AlaraComponents } from '../components.js'
import { pagesOf, type SyncRequester } from '../sync/sync-client.js'
import type { Logger } from '../util/logger.js'
import { BeaconIngest } from './beacon-ingest.js'

/**
 * Version 2 over the sync protocol (request `BEACON`): the commits behind a held-commits
 * digest, asked of its voters (admission after close, and adopting a set after a
 * restart), and the reveals gossip missed, asked before a recovery. What comes back goes
 * through BeaconIngest like anything gossiped.
 */

/** Commit-set fetches (epoch, digest) at once; more wait for a later vote. */
const MAX_FETCHES = 16
/** voters of one digest asked at once */
const MAX_ASKED = 8
/** members other than the withholders asked for missed reveals */
const MAX_OTHERS = 3

export class BeaconSync {
  private readonly log: Logger
  private readonly fetching = new Set<string>()

  constructor(
    private readonly components: AlaraComponents,
    private readonly ingest: BeaconIngest,
    private readonly request: SyncRequester,
  ) {
    this.log = components.logger('alara:beacon')
  }

  /**
   * The commits behind a held-commits digest, from its voters (in parallel, the first
   * checked answer wins), recorded as that digest's set: after close they enter with
   * their round's vouchers. Asked until the admission deadline (finalMs for an epoch
   * caught up on). Undefined when nobody served them.
   */
  async fetchSet(
    r: number,
    digestHex: string,
    voters: string[],
    stopping: AbortSignal,
  ): Promise<HeldCommit[] | undefined> {
    const key = `${r}:${digestHex}`
    const { state, params, now, trust } = this.components
    const known = state.beacons.of(r).commitsBehind(digestHex)
    if (known !== undefined) return known
    if (this.fetching.has(key) || this.fetching.size >= MAX_FETCHES) return undefined
    this.fetching.add(key)
    const until = state.backfill.has(r)
      ? params.finalMs
      : admissionDeadlineMs(epochCloseMs(r, params), params) - now()
    const signal = AbortSignal.any([stopping, AbortSignal.timeout(Math.max(params.graceMs, until))])
    try {
      const sets = await Promise.all(
        voters
          .filter((o) => trust.isMember(o))
          .slice(0, MAX_ASKED)
          .map((o) => this.askSet(peerIdFromString(BeaconIngest.peerOf(o)), r, digestHex, signal)),
      )
      return sets.find((s) => s !== undefined)
    } finally {
      this.fetching.delete(key)
    }
  }

  private async askSet(
    peer: PeerId,
    r: number,
    digestHex: string,
    signal: AbortSignal,
  ): Promise<HeldCommit[] | undefined> {
    const served: HeldCommit[] = []
    const req = {
      kind: 'beacon',
      network: this.components.params.network,
      epoch: r,
      digest: fromHex(digestHex),
    } as const
    try {
      for await (const page of pagesOf(this.request, peer, req, signal)) {
        for (const bytes of page.commits) {
          const commit = this.ingest.checkServedCommit(bytes)
          if (commit !== undefined) served.push(commit)
        }
        this.takeOutcomeMessages(peer, page)
      }
    } catch (err) {
      this.log.debug(
        () => `commits of epoch ${r} from ${peer.toString()}: ${(err as Error).message}`,
      )
      return undefined
    }
    return this.ingest.recordSet(r, digestHex, served) ? served : undefined
  }

  /**
   * Epoch r's reveals and recovery, asked of the withholders themselves and a few other
   * connected members, within 2 × graceMs (a reveal gossip missed: a member that
   * restarted, a mesh not formed yet).
   */
  async pullReveals(r: number, withheld: string[], stopping: AbortSignal): Promise<void> {
    const { libp2p, trust, params } = this.components
    const connected = libp2p.getPeers().filter((p) => trust.isMemberPeer(p.toString()))
    const wanted = new Set(withheld.map((o) => BeaconIngest.peerOf(o)))
    const first = connected.filter((p) => wanted.has(p.toString()))
    const others = connected.filter((p) => !wanted.has(p.toString())).slice(0, MAX_OTHERS)
    const signal = AbortSignal.any([stopping, AbortSignal.timeout(2 * params.graceMs)])
    const req = { kind: 'beacon', network: params.network, epoch: r } as const
    await Promise.all(
      [...first, ...others].map(async (peer) => {
        try {
          for await (const page of pagesOf(this.request, peer, req, signal))
            this.takeOutcomeMessages(peer, page)
        } catch {
          // a member that does not answer in time: the recovery covers it
        }
      }),
    )
  }

  private takeOutcomeMessages(
    peer: PeerId,
    page: { reveals: Uint8Array[]; recoveries: Uint8Array[] },
  ): void {
    for (const bytes of page.reveals) this.ingest.reveal(bytes, { via: 'sync', from: peer })
    for (const bytes of page.recoveries) this.ingest.recovery(bytes, { via: 'sync', from: peer })
  }
}
