import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it, vi } from 'vitest'
import type { AlaraComponents } from '../../components.js'
import { mergeConfig } from '../../config/config.js'
import { silentLogger } from '../../util/logger.js'
import { ReachabilityService } from './reachability-service.js'

const RELAY = '12D3KooWGzBnHAHh2MDFZ9qS7fBEQxQmhVaWPA8VD7qtdVbUXVx5'
const SELF = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

/** A private member: LAN addresses only, one direct connection out to its relay. */
function privateMember() {
  const clock = { ms: 1_000_000 }
  const events = new EventTarget()
  const listen = vi.fn(async () => undefined)
  const addRelay = vi.fn(async () => undefined)
  const relayed: string[] = []
  const libp2p = {
    addEventListener: (type: string, fn: () => void, opts?: { signal?: AbortSignal }) =>
      events.addEventListener(type, fn, opts),
    getConnections: (peer?: unknown) =>
      peer === undefined || String(peer) === RELAY
        ? [
            {
              remoteAddr: multiaddr(`/ip4/7.7.7.10/tcp/4590/p2p/${RELAY}`),
              direction: 'outbound',
              limits: undefined,
              status: 'open',
            },
          ]
        : [],
    getMultiaddrs: () => relayed.map((a) => multiaddr(a)),
    peerStore: { get: async () => ({ protocols: ['/libp2p/circuit/relay/0.2.0/hop'] }) },
    components: {
      addressManager: {
        getAddressesWithMetadata: () => [
          {
            multiaddr: multiaddr('/ip4/10.0.0.2/tcp/4590'),
            verified: true,
            expires: 1,
            type: 'transport',
          },
        ],
      },
      transportManager: { listen, getTransports: () => [{}, { reservationStore: { addRelay } }] },
    },
  }
  const components = {
    config: mergeConfig({ bootstrap: [`/ip4/7.7.7.10/tcp/4590/p2p/${RELAY}`] }),
    libp2p,
    peerId: peerIdFromString(SELF),
    logger: () => silentLogger,
    now: () => clock.ms,
  } as unknown as AlaraComponents
  const poke = () => events.dispatchEvent(new Event('self:peer:update'))
  return { service: new ReachabilityService(components), clock, listen, addRelay, relayed, poke }
}

describe('reachability service', () => {
  it('private: one reservation per bootstrap relay at most, asked again while none holds', async () => {
    const m = privateMember()
    m.service.start()
    expect(m.service.view().reachability).toBe('private')
    // relayReservations is 2, but there is one bootstrap entry
    expect(m.listen).toHaveBeenCalledTimes(1)
    expect(m.listen.mock.calls[0]).toEqual([[multiaddr('/p2p-circuit')]])
    m.poke()
    await vi.waitFor(() => expect(m.addRelay).toHaveBeenCalledTimes(1))
    m.clock.ms += 5000
    m.poke()
    expect(m.addRelay).toHaveBeenCalledTimes(1) // not before NUDGE_MS
    m.clock.ms += 11_000
    m.poke()
    await vi.waitFor(() => expect(m.addRelay).toHaveBeenCalledTimes(2))
    // a relayed address: no more asking, and never a second round of listeners
    m.relayed.push(`/ip4/7.7.7.10/tcp/4590/p2p/${RELAY}/p2p-circuit/p2p/${SELF}`)
    m.clock.ms += 60_000
    m.poke()
    expect(m.addRelay).toHaveBeenCalledTimes(2)
    expect(m.listen).toHaveBeenCalledTimes(1)
    expect(m.service.view().relayedAddresses).toHaveLength(1)
    m.service.stop()
  })
})
