import { hkdfSync, randomBytes } from 'node:crypto'
import {
  ALPHA_BYTES,
  commitValue,
  encodeCommit,
  encodeElement,
  epochCloseMs,
  fromHex,
  signCommit,
} from '@alara/protocol'
import type { AlaraComponents } from '../components.js'
import type { Logger } from '../util/logger.js'
import type { AlphaStore } from './alpha-store.js'
import type { BeaconIngest } from './beacon-ingest.js'
import type { BeaconPublisher } from './beacon-publisher.js'

/**
 * Step 1 of DESIGN.md "The shared beacon, version 2" for this node: prepared just before
 * the epoch's last tenth (α from the private-draw state and the OS CSPRNG, never reused,
 * kept synced in the repo; c = |g^α|, ~10 ms of squarings), then signed and gossiped at a
 * random moment of the last tenth, so that the moment itself costs a signature. A timer
 * the event loop ran late (a busy machine) still commits until close(r), stamped with
 * the epoch's last millisecond: honest nodes take it as any commit of r.
 */
export class OwnCommit {
  private readonly log: Logger
  private readonly tenth: number
  /** epoch → random offset (ms before the epoch's end) of the commit */
  private readonly offsets = new Map<number, number>()
  /** epoch → enc c of the α prepared for the commit to come */
  private readonly prepared = new Map<number, Uint8Array>()

  constructor(
    private readonly components: AlaraComponents,
    private readonly init: { ingest: BeaconIngest; publisher: BeaconPublisher; alphas: AlphaStore },
  ) {
    this.log = components.logger('alara:beacon')
    this.tenth = Math.max(1, Math.floor(components.params.epochMs / 10))
  }

  private endOf(r: number): number {
    return (r + 1) * this.components.params.epochMs
  }

  /** When r's α is prepared: a little before the last tenth. */
  prepareAt(r: number): number {
    return this.endOf(r) - this.tenth - Math.min(this.tenth, 50)
  }

  /** When r's commit goes out: a random moment of the last tenth, drawn once per epoch. */
  commitAt(r: number): number {
    let offset = this.offsets.get(r)
    if (offset === undefined) {
      offset = 1 + Math.floor(Math.random() * this.tenth)
      this.offsets.set(r, offset)
    }
    return this.endOf(r) - offset
  }

  async prepare(r: number): Promise<void> {
    const { state, params, selfHex, trust } = this.components
    if ((state.beacons.ifAny(r)?.commits.countOf(selfHex) ?? 0) > 0 || !trust.admits(selfHex))
      return
    const alpha = new Uint8Array(
      hkdfSync(
        'sha256',
        Buffer.concat([state.replica.drawState().poolState, randomBytes(32)]),
        randomBytes(32),
        `alara/v2/alpha/${params.network}/${r}`,
        ALPHA_BYTES,
      ),
    )
    await this.init.alphas.save(r, alpha)
    this.prepared.set(r, encodeElement(commitValue(alpha)))
  }

  async commit(r: number): Promise<void> {
    const { state, params, privateKey, selfHex, now } = this.components
    const c = this.prepared.get(r)
    for (const e of this.prepared.keys()) if (e <= r) this.prepared.delete(e)
    for (const e of this.offsets.keys()) if (e <= r) this.offsets.delete(e)
    if (c === undefined || state.beacons.of(r).commits.countOf(selfHex) > 0) return
    const end = this.endOf(r)
    const nowMs = now()
    if (nowMs >= epochCloseMs(r, params)) {
      this.log.info(`epoch ${r}: no commit, the clock came ${nowMs - end} ms after the epoch's end`)
      await this.init.alphas.remove(r)
      return
    }
    const commit = await signCommit(privateKey, {
      network: params.network,
      origin: fromHex(selfHex),
      epoch: r,
      c,
      timestampMs: Math.min(nowMs, end - 1),
    })
    const encoded = encodeCommit(commit)
    const verdict = this.init.ingest.commit(encoded, { via: 'inject' })
    if (verdict.verdict !== 'accept') {
      this.log.warn(`own commit for epoch ${r} not held: ${verdict.reason}`)
      return
    }
    await this.init.publisher.publishCommit(r, encoded)
  }
}
