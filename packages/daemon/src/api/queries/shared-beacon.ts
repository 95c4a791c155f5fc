import {
  admissionDeadlineMs,
  epochCloseMs,
  fromHex,
  peerIdFromOrigin,
  toHex,
} from '@alara/protocol'
import type { EpochBeacon } from '../../beacon/epoch-beacons.js'
import type { AlaraComponents } from '../../components.js'
import type { BeaconResponse } from '../types.js'

/**
 * The shared beacon's fields of an epoch as the API answers them (`alara beacon`, the
 * consensus listing): status, Ω_r when known, C_r's members, the withholders (once the
 * recovery is due) and equivocators, with their signed commits as evidence.
 */

type SharedView = Pick<
  BeaconResponse,
  'beacon' | 'status' | 'commitsDigest' | 'commits' | 'withheld' | 'equivocating' | 'evidence'
>

/**
 * Epoch r's shared beacon as this node holds it in memory (the window): what the
 * consensus listing and the dashboard show of it.
 */
export function sharedState(
  c: AlaraComponents,
  r: number,
): Pick<BeaconResponse, 'status' | 'withheld' | 'equivocating'> {
  const { status, withheld, equivocating } = sharedView(c, r, c.state.beacons.ifAny(r))
  return { status, withheld, equivocating }
}

const peerIdOf = (originHex: string): string => peerIdFromOrigin(fromHex(originHex)).toString()

/** The shared beacon's fields from an epoch's version-2 state (none held: status none). */
export function sharedView(
  c: AlaraComponents,
  r: number,
  held: EpochBeacon | undefined,
): SharedView {
  const view = sharedFields(c, r, held)
  if (held === undefined || (view.withheld.length === 0 && view.equivocating.length === 0))
    return view
  // the signed commits behind each name: the withholder's one commit, the equivocator's two
  const commitOf = new Map(held.commits.all().map((m) => [peerIdOf(m.originHex), m.encoded]))
  return {
    ...view,
    evidence: {
      withheld: view.withheld.map((peerId) => ({
        peerId,
        commit: toHex(commitOf.get(peerId) as Uint8Array),
      })),
      equivocating: held.commits.equivocations().map((e) => ({
        peerId: peerIdOf(e.originHex),
        commits: e.commits.map((m) => toHex(m.encoded)),
      })),
    },
  }
}

function sharedFields(c: AlaraComponents, r: number, held: EpochBeacon | undefined): SharedView {
  const equivocating = (held?.commits.equivocations() ?? []).map((e) => peerIdOf(e.originHex))
  const set = held?.frozen
  if (held === undefined || set === undefined) {
    // not frozen here: pending while its freeze may still come (or catch-up adopts one)
    const origins = held?.commits.all().map((m) => m.originHex) ?? []
    const single = [...new Set(origins)].filter((o) => held?.commits.countOf(o) === 1)
    const open = held !== undefined && r >= c.state.replica.oldestRetainedEpoch
    return {
      status: open && held.commits.count > 0 ? 'pending' : 'none',
      commits: single.sort().map(peerIdOf),
      withheld: [],
      equivocating,
    }
  }
  const base = {
    commitsDigest: toHex(set.digest),
    commits: set.members.map((m) => peerIdOf(m.originHex)),
    equivocating,
  }
  if (set.members.length === 0) return { ...base, status: 'none', withheld: [] }
  const outcome = held.outcome ?? held.computeOutcome(c.timelock.h)
  if (outcome === undefined || outcome.status === 'pending') {
    // named withholders only once the reveals were due to be in (the recovery is due):
    // before, a member without a reveal has simply not revealed yet
    const dueMs = admissionDeadlineMs(epochCloseMs(r, c.params), c.params) + 3 * c.params.graceMs
    const withheld = c.now() >= dueMs ? held.withheld().map(peerIdOf) : []
    return { ...base, status: 'pending', withheld }
  }
  return {
    ...base,
    beacon: toHex(outcome.beacon),
    status: outcome.status,
    withheld: outcome.withheld.map(peerIdOf),
  }
}
