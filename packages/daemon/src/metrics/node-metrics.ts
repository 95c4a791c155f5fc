import type { Registry } from 'prom-client'
import type { AlaraComponents } from '../components.js'
import { AlaraMetrics } from './metrics.js'
import { type MetricsServer, startMetricsServer } from './metrics-server.js'
import { type NatSource, registerNatMetrics } from './nat-metrics.js'

/**
 * The node's metrics on their own listener: ALARA's (from the event bus and the state),
 * the NAT ones and libp2p's (already in `registry`), one registry per daemon.
 */
export async function serveNodeMetrics(
  c: AlaraComponents,
  init: { host: string; port: number; registry: Registry; nat: NatSource },
): Promise<MetricsServer> {
  const { state, libp2p, trust, events } = c
  const metrics = new AlaraMetrics(init.registry, {
    events,
    creditBits: () => state.replica.creditBits,
    currentEpoch: () => state.currentEpoch(c.now()),
    connectedPeers: () => libp2p.getPeers().map((p) => p.toString()),
    isMember: (peerId) => trust.isMemberPeer(peerId),
  })
  metrics.start()
  registerNatMetrics(init.registry, init.nat)
  try {
    const served = await startMetricsServer(init)
    return {
      url: served.url,
      close: async () => {
        metrics.stop()
        await served.close()
      },
    }
  } catch (err) {
    metrics.stop()
    throw err
  }
}
