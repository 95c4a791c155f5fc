import {
  CompactContribution,
  type EpochSummary,
  encodeContribution,
  encodeSyncResponse,
  fromHex,
  SYNC_LIMITS,
  type SyncRequest,
  toHex,
} from '@alara/protocol'
import { BadCursorError } from '../errors.js'
import type { NodeState } from '../node/state.js'

/** What answers read: the replica, the votes held with their encoded bytes, known sets. */
export interface SyncSource {
  replica: NodeState['replica']
  /** the ids behind a digest of an epoch (sorted), when this node knows them */
  idsBehind(epoch: number, digestHex: string): string[] | undefined
  /** every distinct vote kept for an epoch that still admits (its admission book) */
  distinctVotes?(epoch: number): Iterable<{ originHex: string; encoded: Uint8Array }>
  /**
   * version 2: epoch r's commits (those behind `digestHex`, a held-commits digest, when
   * known; else every commit held), reveals and recovery, encoded
   */
  beaconMessages?(
    epoch: number,
    digestHex?: string,
  ): { commits: Uint8Array[]; reveals: Uint8Array[]; recoveries: Uint8Array[] }
  votes: {
    epochs(): number[]
    votesOf(epoch: number): Array<{ originHex: string; encoded: Uint8Array }>
  }
}

/**
 * The answers of the sync protocol, one page each (docs/PROTOCOL.md "Sync paging"). Every
 * page fits SYNC_LIMITS.pageBytes; a non-empty `nextCursor` says there is more and where
 * to go on. Cursors are this responder's own (opaque to the asker):
 * - SUMMARIES (epochs ascending): the last epoch sent, 8 bytes big-endian;
 * - IDS and BEHIND (ids ascending): the last id sent; BEHIND answers no id for a digest
 *   this node does not know (the asker checks what it gets against the digest);
 * - CONTRIBUTIONS (in the order asked): the first id not sent; unknown ids are skipped;
 * - VOTES (newest epoch first, then origin ascending; every distinct vote of a member
 *   while the epoch admits, an origin's votes on one page): the last vote's epoch (8
 *   bytes) and origin.
 * - BEACON (commits, then reveals, then the recovery): the index of the first message not
 *   sent, 4 bytes big-endian.
 * A cursor that does not parse is a bad request.
 */

/** a summary's wire size, at most: tags, a u64, two 32-byte digests, two u32s, a bool */
const SUMMARY_BYTES = 96
/** a page entry's framing: tag and length */
const ENTRY_OVERHEAD = 6

export function answerOf(state: SyncSource, network: string, req: SyncRequest): Uint8Array {
  if (req.network !== network)
    return encodeSyncResponse({
      status: 'wrong-network',
      error: `this node is on network '${network}'`,
    })
  try {
    return encodeSyncResponse({ status: 'ok', ...pageOf(state, req) })
  } catch (err) {
    if (!(err instanceof BadCursorError)) throw err
    return encodeSyncResponse({ status: 'bad-request', error: err.message })
  }
}

type Page = {
  summaries?: EpochSummary[]
  ids?: Uint8Array[]
  contributions?: Uint8Array[]
  votes?: Uint8Array[]
  nextCursor?: Uint8Array
  commits?: Uint8Array[]
  reveals?: Uint8Array[]
  recoveries?: Uint8Array[]
}

function pageOf(state: SyncSource, req: SyncRequest): Page {
  const cursor = req.cursor !== undefined && req.cursor.length > 0 ? req.cursor : undefined
  const { replica, votes } = state
  switch (req.kind) {
    case 'summaries': {
      const after = cursor === undefined ? -1 : epochOfCursor(cursor)
      const all = replica
        .summaries()
        .filter(
          (s) =>
            s.epoch > after &&
            s.epoch >= req.fromEpoch &&
            s.epoch <= req.toEpoch &&
            (s.stored > 0 || s.final),
        )
      const max = Math.floor(SYNC_LIMITS.pageBytes / SUMMARY_BYTES)
      const page = all.slice(0, max)
      const last = page.at(-1)
      return {
        summaries: page,
        ...(all.length > max && last !== undefined ? { nextCursor: epochCursor(last.epoch) } : {}),
      }
    }
    case 'ids':
    case 'behind': {
      const all =
        req.kind === 'ids'
          ? replica.storedIdsOf(req.epoch)
          : (state.idsBehind(req.epoch, toHex(req.digest)) ?? [])
      if (cursor !== undefined && cursor.length !== 32)
        throw new BadCursorError('an IDS cursor is a 32-byte id')
      const start = cursor === undefined ? 0 : firstAbove(all, toHex(cursor))
      const page = all.slice(start, start + SYNC_LIMITS.maxIds)
      const more = start + page.length < all.length
      return {
        ids: page.map(fromHex),
        ...(more ? { nextCursor: fromHex(page.at(-1) as string) } : {}),
      }
    }
    case 'contributions': {
      let start = 0
      if (cursor !== undefined) {
        const at = toHex(cursor)
        start = req.ids.findIndex((id) => toHex(id) === at)
        if (start < 0) throw new BadCursorError('a CONTRIBUTIONS cursor is one of the ids asked')
      }
      const out: Uint8Array[] = []
      let bytes = 0
      for (let i = start; i < req.ids.length; i++) {
        const v = replica.get(toHex(req.ids[i] as Uint8Array))
        if (v === undefined) continue
        const encoded =
          v instanceof CompactContribution ? v.bytes : encodeContribution(v.contribution)
        if (
          out.length > 0 &&
          (out.length >= SYNC_LIMITS.maxContributions ||
            bytes + encoded.length + ENTRY_OVERHEAD > SYNC_LIMITS.pageBytes)
        )
          return { contributions: out, nextCursor: req.ids[i] as Uint8Array }
        out.push(encoded)
        bytes += encoded.length + ENTRY_OVERHEAD
      }
      return { contributions: out }
    }
    case 'votes': {
      const after = cursor === undefined ? undefined : voteOfCursor(cursor)
      const out: Uint8Array[] = []
      let bytes = 0
      let last: { epoch: number; originHex: string } | undefined
      const epochs = votes
        .epochs()
        .filter((r) => r >= req.fromEpoch && r <= req.toEpoch)
        .reverse()
      for (const r of epochs) {
        if (after !== undefined && r > after.epoch) continue
        // an origin's votes never straddle two pages: the cursor is (epoch, origin)
        for (const group of byOrigin(votesToRelay(state, r))) {
          const originHex = group[0]?.originHex as string
          if (after !== undefined && r === after.epoch && originHex <= after.originHex) continue
          const size = group.reduce((n, v) => n + v.encoded.length + ENTRY_OVERHEAD, 0)
          if (
            last !== undefined &&
            (out.length + group.length > SYNC_LIMITS.maxVotes ||
              bytes + size > SYNC_LIMITS.pageBytes)
          )
            return { votes: out, nextCursor: voteCursor(last.epoch, last.originHex) }
          for (const vote of group) out.push(vote.encoded)
          bytes += size
          last = { epoch: r, originHex }
        }
      }
      return { votes: out }
    }
    case 'beacon': {
      const held = state.beaconMessages?.(
        req.epoch,
        req.digest === undefined ? undefined : toHex(req.digest),
      ) ?? { commits: [], reveals: [], recoveries: [] }
      const all = [
        ...held.commits.map((m) => ['commits', m] as const),
        ...held.reveals.map((m) => ['reveals', m] as const),
        ...held.recoveries.map((m) => ['recoveries', m] as const),
      ]
      const start = cursor === undefined ? 0 : indexOfCursor(cursor)
      const page: Required<Pick<Page, 'commits' | 'reveals' | 'recoveries'>> = {
        commits: [],
        reveals: [],
        recoveries: [],
      }
      let bytes = 0
      for (let i = start; i < all.length; i++) {
        const [kind, m] = all[i] as (typeof all)[number]
        if (i > start && bytes + m.length + ENTRY_OVERHEAD > SYNC_LIMITS.pageBytes)
          return { ...page, nextCursor: indexCursor(i) }
        page[kind].push(m)
        bytes += m.length + ENTRY_OVERHEAD
      }
      return page
    }
  }
}

function indexCursor(index: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, index)
  return out
}

function indexOfCursor(cursor: Uint8Array): number {
  if (cursor.length !== 4) throw new BadCursorError('a BEACON cursor is a 4-byte index')
  return new DataView(cursor.buffer, cursor.byteOffset, 4).getUint32(0)
}

/**
 * The votes of epoch r to relay, origin ascending: the newest of each origin, and while
 * the epoch admits every other distinct vote a member gave (DESIGN.md "Admission after
 * close": each vouches for what it covers, a later one withdraws nothing).
 */
function votesToRelay(
  state: SyncSource,
  r: number,
): Array<{ originHex: string; encoded: Uint8Array }> {
  const newest = state.votes.votesOf(r)
  const extra = state.distinctVotes?.(r)
  if (extra === undefined) return newest
  const seen = new Set(newest.map((v) => toHex(v.encoded)))
  const out = [...newest]
  for (const v of extra) if (!seen.has(toHex(v.encoded))) out.push(v)
  return out.sort((a, b) => (a.originHex < b.originHex ? -1 : a.originHex > b.originHex ? 1 : 0))
}

/** Consecutive runs of one origin (the list is sorted by origin). */
function byOrigin<T extends { originHex: string }>(sorted: T[]): T[][] {
  const out: T[][] = []
  for (const v of sorted) {
    const run = out.at(-1)
    if (run !== undefined && run[0]?.originHex === v.originHex) run.push(v)
    else out.push([v])
  }
  return out
}

function firstAbove(sortedHex: string[], hex: string): number {
  let lo = 0
  let hi = sortedHex.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sortedHex[mid] as string) <= hex) lo = mid + 1
    else hi = mid
  }
  return lo
}

function epochCursor(epoch: number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(epoch))
  return out
}

function epochOfCursor(cursor: Uint8Array): number {
  if (cursor.length < 8) throw new BadCursorError('the cursor is too short')
  const epoch = new DataView(cursor.buffer, cursor.byteOffset, 8).getBigUint64(0)
  if (epoch > BigInt(Number.MAX_SAFE_INTEGER)) throw new BadCursorError('cursor epoch too large')
  return Number(epoch)
}

function voteCursor(epoch: number, originHex: string): Uint8Array {
  const origin = fromHex(originHex)
  const out = new Uint8Array(8 + origin.length)
  out.set(epochCursor(epoch))
  out.set(origin, 8)
  return out
}

function voteOfCursor(cursor: Uint8Array): { epoch: number; originHex: string } {
  if (cursor.length <= 8) throw new BadCursorError('a VOTES cursor is an epoch and an origin')
  return { epoch: epochOfCursor(cursor), originHex: toHex(cursor.subarray(8)) }
}
