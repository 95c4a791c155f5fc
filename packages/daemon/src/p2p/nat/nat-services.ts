import { autoNAT } from '@libp2p/autonat'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { uPnPNAT } from '@libp2p/upnp-nat'
import type { DaemonConfig } from '../../config/defaults.js'
import { bootstrapRelaysOnly } from './relay-filter.js'

/**
 * The libp2p parts that carry ALARA across NATs (docs/OPERATIONS.md "Across the
 * internet"): AutoNAT always (it is what `reachability` reports), the circuit relay
 * transport always (to dial and be dialled through a relay), DCUtR unless
 * `holePunch: false`, the relay server with `relay: true`, UPnP with `upnp: true`.
 */

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
    autonat: autoNAT({
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
