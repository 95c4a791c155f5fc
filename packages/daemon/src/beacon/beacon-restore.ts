import {
  decodeCommit,
  decodeElement,
  decodeRecovery,
  decodeReveal,
  HeldCommits,
  toHex,
  verifyCommit,
  verifyRecovery,
  verifyReveal,
} from '@alara/protocol'
import type { AlaraComponents } from '../components.js'
import { CorruptStoreError } from '../errors.js'
import type { BeaconRecords } from '../store/beacon-records.js'
import { EpochBeacon } from './epoch-beacons.js'

/**
 * Version 2's state back from the store: the commits held (each signature checked
 * again: commits are few), C_r where it was frozen, the reveals and the recovery. A
 * record that does not check is skipped and counted, never trusted.
 */

type Records = Awaited<ReturnType<BeaconRecords['records']>>

/** Fills `beacon` (epoch r) from its stored records; returns how many were skipped. */
export function fillFromRecords(
  beacon: EpochBeacon,
  records: Records,
  c: Pick<AlaraComponents, 'params' | 'selfHex'>,
): number {
  const r = beacon.epoch
  let skipped = 0
  const attempt = (run: () => void): void => {
    try {
      run()
    } catch {
      skipped++
    }
  }
  for (const bytes of records.commits)
    attempt(() => {
      const v = verifyCommit(decodeCommit(bytes))
      if (v.commit.epoch !== r) throw new Error('another epoch')
      beacon.commits.add({
        idHex: v.idHex,
        originHex: v.originHex,
        origin: v.origin,
        c: v.c,
        encoded: bytes,
      })
    })
  if (records.commitSet !== undefined) {
    const ids = new Set(records.commitSet.map(toHex))
    const chosen = new HeldCommits(c.params.network, r, ids.size + 1)
    for (const commit of beacon.commits.all()) if (ids.has(commit.idHex)) chosen.add(commit)
    // a frozen commit missing or not checking: a set without it would have another D_r,
    // so no set at all (the epoch is reported corrupt, or adopted again while recent)
    if (chosen.count !== ids.size) skipped++
    // the set was frozen of members then: whoever is in it stays in it
    else beacon.frozen = chosen.commitSet(c.params.timelockSquarings, () => true)
  }
  for (const bytes of records.reveals)
    attempt(() => {
      const v = verifyReveal(decodeReveal(bytes))
      if (v.reveal.epoch !== r) throw new Error('another epoch')
      beacon.reveals.set(v.originHex, {
        originHex: v.originHex,
        alpha: v.reveal.alpha,
        encoded: bytes,
      })
      if (v.originHex === c.selfHex) beacon.revealed = true
    })
  const frozen = beacon.frozen
  const encoded = records.recovery
  if (encoded !== undefined && frozen !== undefined)
    attempt(() => {
      const m = decodeRecovery(encoded)
      const recovery = {
        commitsDigest: m.commitsDigest,
        withheld: m.withheld,
        y: decodeElement(m.y, 'y'),
        proof: decodeElement(m.proof, 'proof'),
      }
      if (!verifyRecovery(frozen, recovery)) throw new Error('does not verify')
      beacon.recovery = { recovery, encoded }
    })
  return skipped
}

/**
 * Epoch r's version-2 state rebuilt from the store alone (every signature checked again):
 * what the API proves an old or final epoch from. Undefined when nothing is stored;
 * CorruptStoreError when a commit of the frozen set is missing or does not verify (a set
 * without it would have another D_r, so another Ω).
 */
export async function storedEpochBeacon(
  c: Pick<AlaraComponents, 'params' | 'selfHex'> & {
    store: { beacon: Pick<BeaconRecords, 'records'> }
  },
  r: number,
): Promise<EpochBeacon | undefined> {
  const records = await c.store.beacon.records(r)
  if (records.commits.length === 0 && records.commitSet === undefined) return undefined
  const held = new EpochBeacon(r, c.params, c.selfHex)
  fillFromRecords(held, records, c)
  if (records.commitSet !== undefined && held.frozen === undefined)
    throw new CorruptStoreError(
      `a commit of the frozen set of epoch ${r} is not stored or does not verify`,
    )
  return held
}

/** The window's epochs back into the node's state at start. */
export async function restoreBeacons(c: AlaraComponents): Promise<void> {
  const { state, store } = c
  let skipped = 0
  for (const r of await store.beacon.epochsFrom(state.replica.oldestRetainedEpoch))
    skipped += fillFromRecords(state.beacons.of(r), await store.beacon.records(r), c)
  if (skipped > 0)
    c.logger('alara:restore').warn(
      `version 2: ${skipped} stored commits, reveals or recoveries did not check and were skipped`,
    )
}
