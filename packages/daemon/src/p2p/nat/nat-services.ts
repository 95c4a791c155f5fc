import { type AutoNATComponents, autoNAT } from '@libp2p/autonat'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { uPnPNAT } from '@libp2p/upnp-nat'
import { isMultiaddr } from '@multiformats/multiaddr'
import type { DaemonConfig } from '../../config/defaults.js'

type ConnectionManager = AutoNATComponents['connectionManager']

import { bootstrapRelaysOnly } from './relay-filter.js'

/**
 * The libp2p parts that carry ALARA across NATs (docs/OPERATIONS.md "Across the
 * internet"): AutoNAT always (it is what `reachability` reports), the circuit relay
 * transport always (to dial and be dialled through a relay), DCUtR unless
 * `holePunch: false`, the relay server with `relay: true`, UPnP with `upnp: true`.
 */

/**
 * AutoNAT with dial-backs on fresh connections. Asked to dial a peer back, @libp2p/autonat
 * 3.0.28 opens a connection to the address the peer gave and closes it afterwards; but
 * libp2p's connection manager hands back the connection already open to that peer (the
 * one the request came on, when the peer dialled this node at that address), so the
 * check proved nothing and closing it cut the peer's connection: a member behind a NAT
 * dropped its connection to the relay (and its reservation) every time the relay asked.
 * A dial-back (a single address) is therefore always a new connection (`force`); the
 * service's other dials (a random walk, a list of addresses) are left as they are.
 */
function autoNATWithFreshDialBacks(init: Parameters<typeof autoNAT>[0]) {
  const create = autoNAT(init)
  return (components: AutoNATComponents) => {
    const fresh = freshDialBacks(components.connectionManager)
    return create(
      new Proxy(components, {
        get: (target, key) =>
          key === 'connectionManager' ? fresh : Reflect.get(target, key, target),
      }),
    )
  }
}

/** The connection manager as AutoNAT sees it: a single address is always dialled anew. */
export function freshDialBacks<M extends Pick<ConnectionManager, 'openConnection'>>(manager: M): M {
  const dialBack: ConnectionManager['openConnection'] = (target, options) =>
    manager.openConnection(
      target,
      Array.isArray(target) || !isMultiaddr(target) ? options : { ...options, force: true },
    )
  return new Proxy(manager, {
    get: (target, key) => {
      if (key === 'openConnection') return dialBack
      const value = Reflect.get(target, key, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

export function natTransport(config: DaemonConfig) {
  return circuitRelayTransport({
    // reservations are made one at a time, only on bootstrap peers
    reservationConcurrency: 1,
    maxReservationQueueLength: Math.max(1, config.bootstrap.length),
    discoveryFilter: bootstrapRelaysOnly(config.bootstrap),
  })
}

export function natServices(config: DaemonConfig): Record<string, unknown> {
  const services: Record<string, unknown> = {
    autonat: autoNATWithFreshDialBacks({
      // a first check soon after start, so that `alara status` says something early
      startupDelay: 2000,
      maxInboundStreams: 2,
      maxOutboundStreams: 2,
    }),
  }
  if (config.holePunch) services.dcutr = dcutr()
  if (config.relay)
    services.relay = circuitRelayServer({
      reservations: {
        maxReservations: config.relayMaxReservations,
        applyDefaultLimit: true,
        defaultDurationLimit: config.relayMaxDurationMs,
        defaultDataLimit: BigInt(config.relayMaxDataBytes),
      },
    })
  if (config.upnp) services.upnp = uPnPNAT()
  return services
}
