import { Gauge, type Registry } from 'prom-client'
import type { NatStatus } from '../p2p/nat/nat-status.js'
import type { Reachability } from '../p2p/nat/reachability.js'

/**
 * Across the internet (docs/OPERATIONS.md "Metrics"): reachability, direct and relayed
 * peers, and a relay's reservations, read from the status at scrape time.
 */

const STATES: readonly Reachability[] = ['public', 'private', 'unknown']

export type NatSource = () => Pick<
  NatStatus,
  'reachability' | 'peersDirect' | 'peersRelayed' | 'relay'
>

export function registerNatMetrics(registry: Registry, source: NatSource): void {
  const registers = [registry]
  new Gauge({
    name: 'alara_reachability',
    help: 'AutoNAT reachability of this node: 1 for the current state (public, private, unknown), 0 for the others',
    labelNames: ['state'],
    registers,
    collect() {
      const now = source().reachability
      for (const state of STATES) this.set({ state }, state === now ? 1 : 0)
    },
  })
  new Gauge({
    name: 'alara_peer_connections',
    help: 'Connected peers by connection: direct, or only through a circuit relay',
    labelNames: ['kind'],
    registers,
    collect() {
      const s = source()
      this.set({ kind: 'direct' }, s.peersDirect)
      this.set({ kind: 'relayed' }, s.peersRelayed)
    },
  })
  new Gauge({
    name: 'alara_relay_reservations',
    help: 'Relay reservations held for other peers (relay: true; 0 otherwise)',
    registers,
    collect() {
      this.set(source().relay?.reservations ?? 0)
    },
  })
}
