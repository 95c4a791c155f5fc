import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  computeTimelockGenerator,
  contributionId,
  decodeContribution,
  encodeContribution,
  encodeVote,
  epochDigest,
  fromHex,
  originOf,
  signContribution,
  signVote,
  toHex,
} from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { AlaraComponents } from '../components.js'
import { mergeConfig, protocolParams } from '../config/config.js'
import type { DaemonConfig } from '../config/defaults.js'
import {
  ALARA_EVENT_NAMES,
  AlaraEventBus,
  type AlaraEventName,
  type EventDetail,
} from '../events.js'
import { TrustBook } from '../membership/trust-book.js'
import { NodeState } from '../node/state.js'
import { AlaraStore } from '../store/store.js'
import { StoreSealer } from '../store/store-seal.js'
import { silentLogger } from '../util/logger.js'

/**
 * Components for unit tests of the node's services: a real store in a temporary
 * directory, a clock the test moves, an event bus that records, and a libp2p stand-in
 * that records publishes (no sockets, no peers). `close()` removes everything.
 */

export interface FakeComponents {
  components: AlaraComponents
  /** the test's clock: set `clock.ms` to move time */
  clock: { ms: number }
  /** every gossip publish: topic and bytes */
  published: Array<{ topic: string; data: Uint8Array }>
  /** what the libp2p stand-in's listeners hear: dispatch `peer:connect` etc. here */
  libp2pEvents: EventTarget
  /** the peers libp2p.getPeers() lists: push and splice to connect and disconnect */
  connected: PeerId[]
  /** every event emitted, in order */
  emitted: Array<{ type: AlaraEventName; detail: unknown }>
  /** the events of one type, as emitted */
  eventsOf<K extends AlaraEventName>(type: K): Array<EventDetail<K>>
  close(): Promise<void>
}

export interface FakeComponentsInit {
  config?: Partial<DaemonConfig>
  /** wall-clock start; default: the middle of epoch 100 */
  startMs?: number
  /**
   * a closed network, where every peer is a member (default true, so tests of other
   * rules need no trust entries); false: an open network, unknown peers are strangers
   */
  closed?: boolean
  /** reuse this store directory (a restart of the same node); close() leaves it */
  storeDir?: string
  /**
   * the store key contributions are sealed under (default: one key for every fake node of
   * the test process, so a restart on the same directory finds its seals); null: unsealed
   */
  storeKey?: Uint8Array | null
}

const TEST_STORE_KEY = new Uint8Array(randomBytes(32))

export async function fakeComponents(init: FakeComponentsInit = {}): Promise<FakeComponents> {
  const config = mergeConfig(
    { epochMs: 1000, graceMs: 200, mdns: false, dht: false, timelockSquarings: 2 ** 10 },
    init.config ?? {},
  )
  const params = protocolParams(config)
  const clock = { ms: init.startMs ?? 100 * params.epochMs + params.epochMs / 2 }
  const privateKey = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(privateKey)
  const selfHex = toHex(originOf(peerId))
  const dir = init.storeDir ?? (await mkdtemp(join(tmpdir(), 'alara-fake-')))
  const storeKey = init.storeKey === undefined ? TEST_STORE_KEY : init.storeKey
  const sealer = storeKey === null ? undefined : new StoreSealer(storeKey)
  const store = await AlaraStore.open(dir, undefined, sealer)
  const closed = init.closed ?? true
  const trust = await TrustBook.load(store, peerId.toString(), params.defaultTrust, {
    closed,
    maxMembers: config.maxMembers,
  })
  const state = new NodeState({
    params,
    selfHex,
    trustOf: (originHex) => trust.lookup(originHex),
    seq: 0,
  })
  const published: FakeComponents['published'] = []
  const events = new AlaraEventBus()
  const emitted: FakeComponents['emitted'] = []
  for (const type of ALARA_EVENT_NAMES) events.on(type, (detail) => emitted.push({ type, detail }))
  const pubsub = {
    topicValidators: new Map(),
    direct: new Set<string>(),
    subscribe() {},
    getSubscribers: () => [],
    addEventListener() {},
    removeEventListener() {},
    publish: async (topic: string, data: Uint8Array) => {
      published.push({ topic, data })
      return { recipients: [] }
    },
  }
  const libp2pEvents = new EventTarget()
  const connected: PeerId[] = []
  const libp2p = {
    peerId,
    services: { pubsub },
    getPeers: () => [...connected],
    peerStore: { all: async () => [] },
    getMultiaddrs: () => [],
    getConnections: () => [],
    addEventListener: libp2pEvents.addEventListener.bind(libp2pEvents),
    removeEventListener: libp2pEvents.removeEventListener.bind(libp2pEvents),
  }
  const components: AlaraComponents = {
    // a small T: what a test of version 2 recovers costs milliseconds
    timelock: await computeTimelockGenerator(params.timelockSquarings),
    params,
    config,
    closed,
    peerId,
    selfHex,
    privateKey,
    store,
    trust,
    state,
    events,
    logger: () => silentLogger,
    libp2p: libp2p as unknown as AlaraComponents['libp2p'],
    now: () => clock.ms,
  }
  return {
    components,
    clock,
    published,
    libp2pEvents,
    connected,
    emitted,
    eventsOf: <K extends AlaraEventName>(type: K) =>
      emitted.filter((e) => e.type === type).map((e) => e.detail as EventDetail<K>),
    close: async () => {
      await store.close()
      if (init.storeDir === undefined) await rm(dir, { recursive: true, force: true })
    },
  }
}

/** Another node's identity, to sign what it would send. */
export async function fakePeer(): Promise<{ key: PrivateKey; peerId: PeerId; originHex: string }> {
  const key = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(key)
  return { key, peerId, originHex: toHex(originOf(peerId)) }
}

/** An encoded, signed contribution of 256 random (healthy) bits. */
export async function signedContribution(
  key: PrivateKey,
  c: AlaraComponents,
  opts: { epoch?: number; seq?: number; timestampMs?: number } = {},
): Promise<Uint8Array> {
  const nowMs = opts.timestampMs ?? c.now()
  return encodeContribution(
    await signContribution(key, {
      network: c.params.network,
      origin: originOf(peerIdFromPrivateKey(key)),
      seq: opts.seq ?? 1,
      epoch: opts.epoch ?? Math.floor(nowMs / c.params.epochMs),
      timestampMs: nowMs,
      bitLength: 256,
      bits: new Uint8Array(randomBytes(32)),
    }),
  )
}

/** An encoded, signed vote for `epoch` with the given digest. */
export async function signedVote(
  key: PrivateKey,
  c: AlaraComponents,
  epoch: number,
  digest: Uint8Array,
  count = 1,
): Promise<Uint8Array> {
  return encodeVote(
    await signVote(key, {
      network: c.params.network,
      origin: originOf(peerIdFromPrivateKey(key)),
      epoch,
      digest,
      count,
      beacon: count === 0 ? new Uint8Array(0) : new Uint8Array(32).fill(7),
      timestampMs: c.now(),
    }),
  )
}

/** The id (hex) of an encoded contribution. */
export function contributionIdHex(bytes: Uint8Array): string {
  return toHex(contributionId(decodeContribution(bytes)))
}

/** An encoded, signed vote of `epoch` whose digest covers exactly `idHexes`. */
export async function voteCovering(
  key: PrivateKey,
  c: AlaraComponents,
  epoch: number,
  idHexes: string[],
): Promise<{ encoded: Uint8Array; digestHex: string }> {
  const digest = epochDigest(
    c.params.network,
    epoch,
    idHexes.map((id) => fromHex(id)),
  )
  return {
    encoded: await signedVote(key, c, epoch, digest, idHexes.length),
    digestHex: toHex(digest),
  }
}
