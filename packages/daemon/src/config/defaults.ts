import { DEFAULT_PARAMS } from '@alara/protocol/params'

/*
 * Light on purpose (`@alara/daemon/defaults`): the CLI imports it at start-up for the
 * defaults `alara daemon --help` shows, so it loads nothing but the protocol's params.
 */

/**
 * Every daemon setting, its default and its meaning, in one place. `config.json` in the
 * repo holds any subset; command-line flags override it for one run. docs/OPERATIONS.md
 * documents the same keys.
 */
export interface DaemonConfig {
  /** network name: topics and signatures are bound to it */
  network: string
  /** epoch length; every node of a network must use the same */
  epochMs: number
  /** an epoch closes (and is voted) at its end + graceMs; default: min(1000, epochMs / 2) */
  graceMs: number
  /** an epoch is final at its end + finalMs; default 3 epochs */
  finalMs?: number
  /**
   * admission after close: rounds of roundMs (default graceMs / 2), byzantineRounds of
   * them tolerated (default 3); the deadline close + (byzantineRounds + 1) × roundMs must
   * come before finalMs. Equal on every node (docs/PROTOCOL.md "Admission after close")
   */
  roundMs?: number
  byzantineRounds?: number
  /**
   * T of the version-2 beacon's time-lock (squarings that recover a withheld reveal;
   * default 2^24); equal on every node: it is part of every commit-set digest. h = g^(2^T)
   * ships for the default and is computed once (and kept in the repo) for another T
   */
  timelockSquarings: number
  /**
   * a node of recovery rank k starts recovering a withheld reveal k × this after the
   * recovery is due, unless a peer's recovery arrived first; default half the time one
   * recovery takes here (T at this implementation's measured squaring rate)
   */
  recoveryStaggerMs?: number
  /** pool bits shown and tested (the original's global pool size) */
  poolBits: number
  /** epochs kept in memory for pools, digests and sync (720 = 1 h at 5 s) */
  retainEpochs: number
  /** epochs kept on disk (at least retainEpochs): older beacons stay verifiable */
  storeEpochs: number
  /** trust of a peer that is not in the trust store */
  defaultTrust: number
  /** an epoch is agreed when agreement >= 1 - byzantineThreshold */
  byzantineThreshold: number
  /** connection manager limit */
  maxPeers: number
  /** validation cutoffs: must be equal on every node */
  maxMessageBytes: number
  maxBits: number
  maxPerEpoch: number
  /** libp2p listen multiaddrs */
  listen: string[]
  /** multiaddrs (with /p2p/<id>) dialled at start */
  bootstrap: string[]
  /** control API HOST:PORT; port 0 picks a free one */
  api: string
  /** public beacon API HOST:PORT (read-only, no token); off when absent; port 0 picks a free one */
  publicApi?: string
  /** Prometheus metrics HOST:PORT (GET /metrics, no token); off when absent; port 0 picks a free one */
  metrics?: string
  /** LAN discovery by mDNS */
  mdns: boolean
  /** kad-dht (server mode, private addresses kept) for discovery beyond the bootstrap list */
  dht: boolean
  /**
   * open networks: a peer that connects directly from a loopback, private or link-local
   * address becomes a member (an automatic `lan` trust entry at defaultTrust)
   */
  lanMembers: boolean
  /** at most this many automatic `lan` members */
  maxMembers: number
  /**
   * Ed25519 verification threads; default one per core (os.availableParallelism()),
   * 0 verifies on the main thread
   */
  verifyThreads?: number

  // Across the internet (docs/OPERATIONS.md "Across the internet"): relays, reservations,
  // hole punching, UPnP. AutoNAT always runs: it is what `reachability` reports.
  /** serve as a circuit relay v2 for other members (a publicly reachable node) */
  relay: boolean
  /** relay: reservations held at once (each a member that can be reached through it) */
  relayMaxReservations: number
  /** relay: a relayed connection is closed after this long */
  relayMaxDurationMs: number
  /** relay: a relayed connection is closed after this many bytes (each direction) */
  relayMaxDataBytes: number
  /** a private node takes a reservation on this many relays among its bootstrap peers; 0: none */
  relayReservations: number
  /** DCUtR: try to turn a relayed connection into a direct one (hole punching) */
  holePunch: boolean
  /** ask the home router by UPnP for a port mapping */
  upnp: boolean
}

export const DEFAULT_CONFIG: Readonly<DaemonConfig> = Object.freeze({
  network: DEFAULT_PARAMS.network,
  epochMs: DEFAULT_PARAMS.epochMs,
  graceMs: DEFAULT_PARAMS.graceMs,
  poolBits: DEFAULT_PARAMS.poolBits,
  retainEpochs: DEFAULT_PARAMS.retainEpochs,
  storeEpochs: 17_280,
  defaultTrust: DEFAULT_PARAMS.defaultTrust,
  byzantineThreshold: DEFAULT_PARAMS.byzantineThreshold,
  maxPeers: 1000,
  maxMessageBytes: DEFAULT_PARAMS.maxMessageBytes,
  maxBits: DEFAULT_PARAMS.maxBits,
  maxPerEpoch: DEFAULT_PARAMS.maxPerEpoch,
  timelockSquarings: DEFAULT_PARAMS.timelockSquarings,
  listen: ['/ip4/0.0.0.0/tcp/4590'],
  bootstrap: [],
  api: '127.0.0.1:5890',
  mdns: true,
  dht: true,
  lanMembers: true,
  maxMembers: 1000,
  // Across the internet
  relay: false,
  relayMaxReservations: 32,
  relayMaxDurationMs: 10 * 60_000,
  relayMaxDataBytes: 16 * 1024 * 1024,
  relayReservations: 2,
  holePunch: true,
  upnp: false,
})
