import { createHash } from 'node:crypto'
import { epochDigest } from '../epoch.js'
import { toHex } from '../signing.js'
import { AdmissionBook } from './book.js'
import { type AdmissionTiming, admissionRound } from './rounds.js'

/**
 * A deterministic simulation of "Admission after close" (DESIGN.md): honest nodes that use
 * AdmissionBook and admissionRound exactly as the daemon must, and colluding members that
 * follow a given schedule. Time is integer ms of a true clock; honest node i reads
 * true + offsets[i]. No timers, no signatures (every vote is taken as genuine: validation
 * is tested apart), seeded delays. The outcome is each honest node's set at its deadline.
 *
 * Honest behaviour:
 * - before close (local time ≤ close) an item it receives enters its set at once (gossip);
 * - at close it votes its set, with its own ids as evidence entry 0;
 * - on every arrival it records the votes (the one received and its vouchers) and the ids
 *   that hash to their digests, and takes the items; then each item it holds and has not
 *   admitted is admitted when the book admits it in the current round, and the node
 *   re-votes at once with its own ids and, per item admitted, the k vouchers it counted
 *   (`evidence: false` sends the own ids only: the rule without evidence);
 * - its votes carry the items they cover (a receiver fetches them from the voter: one
 *   delay in all); nothing is admitted after the deadline.
 */

export const SIM_NETWORK = 'sim'
export const SIM_EPOCH = 7
const MAX_VOUCHERS_PER_MESSAGE = 8

export interface SimVote {
  origin: string
  digest: string
  count: number
  encoded: Uint8Array
}

/** What one delivery hands a node. */
export interface SimMessage {
  vote?: SimVote
  /** evidence entry 0: the ids behind `vote`'s digest */
  ownIds?: string[]
  vouchers?: Array<{ vote: SimVote; ids: string[] }>
  items?: string[]
}

/** A vote a colluder signs: the honest items (all of them or none) plus hidden items. */
export interface ByzVoteSpec {
  signer: number
  honest: boolean
  /** indices into the hidden items */
  hidden: number[]
}

/** A colluders' delivery to one honest node, at a chosen true time. */
export type ByzAction =
  | {
      kind: 'vote'
      to: number
      atMs: number
      vote: number
      /** with its ids (evidence entry 0) */
      ids: boolean
      /** with other colluders' votes and their ids as vouchers */
      vouchers: number[]
      /** with the hidden items it covers */
      items?: boolean
    }
  | { kind: 'ids'; to: number; atMs: number; vote: number }
  | { kind: 'item'; to: number; atMs: number; hidden: number }

export interface SimConfig {
  honest: number
  timing: AdmissionTiming
  closeMs: number
  /** honest clock offsets (local = true + offset), each within [0, skew bound] */
  offsets: number[]
  /** honest delays: a fixed value, or seeded random in [0, maxDelayMs] */
  delay: { fixedMs: number } | { seed: number; maxDelayMs: number }
  /** per honest item, which honest nodes hold it before close (bitmask, non-zero) */
  honestItems: number[]
  hiddenItems: number
  /** colluders (members) */
  byzantine: number
  byzVotes: ByzVoteSpec[]
  actions: ByzAction[]
  /** re-votes carry the vouchers counted (the rule); false: own ids only */
  evidence: boolean
}

export interface SimResult {
  /** each honest node's set at its deadline, ascending */
  finals: string[][]
  /** items some honest node held at its close */
  heldBeforeClose: Set<string>
  /** hidden item ids, by index */
  hidden: string[]
  /** every admission after close: node, item, local time, round */
  admissions: Array<{ node: number; item: string; localMs: number; round: number }>
}

export const itemId = (name: string): string => createHash('sha256').update(name).digest('hex')
const originOf = (name: string): string =>
  createHash('sha256').update(`origin ${name}`).digest('hex')
const all = () => true

export function simVote(origin: string, ids: readonly string[]): SimVote {
  const digest = toHex(
    epochDigest(
      SIM_NETWORK,
      SIM_EPOCH,
      ids.map((i) => Buffer.from(i, 'hex')),
    ),
  )
  const encoded = new TextEncoder().encode(JSON.stringify({ origin, digest, count: ids.length }))
  return { origin, digest, count: ids.length, encoded }
}

function readVote(encoded: Uint8Array): SimVote {
  const { origin, digest, count } = JSON.parse(new TextDecoder().decode(encoded))
  return { origin, digest, count, encoded }
}

/** mulberry32: a small seeded PRNG, enough for delays. */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface SimEvent {
  atMs: number
  /** deliveries before a close at the same instant: local close is still open */
  order: number
  seq: number
  node: number
  message?: SimMessage
}

class HonestNode {
  readonly book: AdmissionBook
  readonly admitted: string[] = []
  readonly inSet = new Set<string>()
  readonly held = new Set<string>()

  constructor(
    readonly index: number,
    readonly origin: string,
  ) {
    this.book = new AdmissionBook({ network: SIM_NETWORK, epoch: SIM_EPOCH, selfHex: origin })
  }

  admit(item: string): void {
    if (this.inSet.has(item)) return
    this.inSet.add(item)
    this.admitted.push(item)
  }

  record(m: SimMessage): void {
    if (m.vote !== undefined) {
      this.book.addVote(m.vote.origin, m.vote.digest, m.vote.count, m.vote.encoded)
      if (m.ownIds !== undefined) this.book.addIds(m.vote.digest, m.ownIds)
    }
    for (const v of m.vouchers ?? []) {
      this.book.addVote(v.vote.origin, v.vote.digest, v.vote.count, v.vote.encoded)
      this.book.addIds(v.vote.digest, v.ids)
    }
    for (const item of m.items ?? []) this.held.add(item)
  }
}

export function runSimulation(config: SimConfig): SimResult {
  const { timing, closeMs } = config
  const nodes = Array.from(
    { length: config.honest },
    (_, i) => new HonestNode(i, originOf(`h${i}`)),
  )
  const honestItems = config.honestItems.map((_, i) => itemId(`honest ${i}`))
  const hidden = Array.from({ length: config.hiddenItems }, (_, i) => itemId(`hidden ${i}`))
  const byzOrigins = Array.from({ length: config.byzantine }, (_, i) => originOf(`b${i}`))
  const byzVotes = config.byzVotes.map((spec) => {
    const covered = spec.hidden.map((h) => hidden[h] as string)
    const ids = [...(spec.honest ? honestItems : []), ...covered]
    return { vote: simVote(byzOrigins[spec.signer] as string, ids), ids, covered }
  })
  const draw = 'seed' in config.delay ? rng(config.delay.seed) : undefined
  const delay = () =>
    'fixedMs' in config.delay
      ? config.delay.fixedMs
      : Math.floor((draw as () => number)() * (config.delay.maxDelayMs + 1))

  const queue = new EventQueue()
  let seq = 0
  const push = (e: Omit<SimEvent, 'seq'>) => queue.push({ ...e, seq: seq++ })
  const local = (node: number, atMs: number) => atMs + (config.offsets[node] ?? 0)

  config.honestItems.forEach((mask, i) => {
    nodes.forEach((n) => {
      if (mask & (1 << n.index)) n.admit(honestItems[i] as string)
    })
  })
  for (const n of nodes)
    push({ atMs: closeMs - (config.offsets[n.index] ?? 0), order: 1, node: n.index })
  const messageOf = (a: ByzAction): SimMessage | undefined => {
    if (a.kind === 'item')
      return { items: hidden.length > 0 ? [hidden[a.hidden % hidden.length] as string] : [] }
    // no colluder vote at all (0 colluders): nothing to send
    const chosen = byzVotes[a.vote % byzVotes.length]
    if (chosen === undefined) return undefined
    if (a.kind === 'ids') return { vouchers: [chosen] }
    return {
      vote: chosen.vote,
      ...(a.ids ? { ownIds: chosen.ids } : {}),
      vouchers: a.vouchers.map((i) => byzVotes[i % byzVotes.length] as (typeof byzVotes)[0]),
      ...(a.items === true ? { items: chosen.covered } : {}),
    }
  }
  for (const a of config.actions) {
    const message = messageOf(a)
    if (a.to < nodes.length && message !== undefined)
      push({ atMs: a.atMs, order: 0, node: a.to, message })
  }

  const heldBeforeClose = new Set<string>()
  const admissions: SimResult['admissions'] = []
  const broadcast = (from: HonestNode, atMs: number, vouchers: SimMessage['vouchers']) => {
    const ids = [...from.admitted]
    const vote = simVote(from.origin, ids)
    const chunks: NonNullable<SimMessage['vouchers']>[] = []
    for (let i = 0; i < (vouchers ?? []).length; i += MAX_VOUCHERS_PER_MESSAGE)
      chunks.push((vouchers ?? []).slice(i, i + MAX_VOUCHERS_PER_MESSAGE))
    if (chunks.length === 0) chunks.push([])
    for (const to of nodes)
      if (to !== from)
        for (const chunk of chunks)
          push({
            atMs: atMs + delay(),
            order: 0,
            node: to.index,
            message: { vote, ownIds: ids, vouchers: chunk, items: ids },
          })
  }

  for (let event = queue.pop(); event !== undefined; event = queue.pop()) {
    const node = nodes[event.node] as HonestNode
    const now = local(node.index, event.atMs)
    const round = admissionRound(now, closeMs, timing)
    if (event.message === undefined) {
      // close: vote the set, own ids as evidence entry 0
      for (const item of node.admitted) heldBeforeClose.add(item)
      broadcast(node, event.atMs, [])
      continue
    }
    if (round === 'over') continue
    node.record(event.message)
    if (round === 'open') {
      for (const item of node.held) node.admit(item)
      continue
    }
    const newly = [...node.held].filter(
      (x) => !node.inSet.has(x) && node.book.admits(x, round, all),
    )
    if (newly.length === 0) continue
    const vouchers = new Map<string, { vote: SimVote; ids: string[] }>()
    for (const item of newly) {
      node.admit(item)
      admissions.push({ node: node.index, item, localMs: now, round })
      if (config.evidence)
        for (const e of node.book.evidenceFor(item, round, all))
          vouchers.set(`${e.originHex}/${toHex(e.vote)}`, { vote: readVote(e.vote), ids: e.ids })
    }
    broadcast(node, event.atMs, [...vouchers.values()])
  }

  return {
    finals: nodes.map((n) => [...n.inSet].sort()),
    heldBeforeClose,
    hidden,
    admissions,
  }
}

const before = (a: SimEvent, b: SimEvent) =>
  a.atMs !== b.atMs ? a.atMs < b.atMs : a.order !== b.order ? a.order < b.order : a.seq < b.seq

/** A binary heap of events by (time, order, seq). */
class EventQueue {
  private readonly heap: SimEvent[] = []

  push(e: SimEvent): void {
    const h = this.heap
    h.push(e)
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1
      if (!before(h[i] as SimEvent, h[parent] as SimEvent)) break
      ;[h[i], h[parent]] = [h[parent] as SimEvent, h[i] as SimEvent]
      i = parent
    }
  }

  pop(): SimEvent | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (top === undefined || last === undefined || h.length === 0) return top
    h[0] = last
    for (let i = 0; ; ) {
      const [l, r] = [2 * i + 1, 2 * i + 2]
      let m = i
      if (l < h.length && before(h[l] as SimEvent, h[m] as SimEvent)) m = l
      if (r < h.length && before(h[r] as SimEvent, h[m] as SimEvent)) m = r
      if (m === i) break
      ;[h[i], h[m]] = [h[m] as SimEvent, h[i] as SimEvent]
      i = m
    }
    return top
  }
}

/** True when every honest node ends with the same set. */
export function agreed(result: SimResult): boolean {
  const [first, ...rest] = result.finals.map((f) => f.join(','))
  return rest.every((f) => f === first)
}
