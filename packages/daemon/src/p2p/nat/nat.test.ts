import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { isRelayed, linkOf } from './connection-kind.js'
import { freshDialBacks } from './nat-services.js'
import { isPublicDirect, reachabilityOf } from './reachability.js'
import { bootstrapRelaysOnly } from './relay-filter.js'

const RELAY = '12D3KooWGzBnHAHh2MDFZ9qS7fBEQxQmhVaWPA8VD7qtdVbUXVx5'
const OTHER = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'
const fact = (ma: string, verified: boolean, expires = 0, type = 'transport') => ({
  multiaddr: multiaddr(ma),
  verified,
  expires,
  type,
})

describe('reachability', () => {
  it('calls the documentation and shared ranges private, as libp2p does', () => {
    expect(isPublicDirect(multiaddr('/ip4/7.0.0.1/tcp/4590'))).toBe(true)
    for (const ip of ['10.1.2.3', '192.168.1.1', '127.0.0.1', '100.64.0.1', '198.51.100.7'])
      expect(isPublicDirect(multiaddr(`/ip4/${ip}/tcp/4590`))).toBe(false)
    expect(isPublicDirect(multiaddr(`/ip4/7.0.0.1/tcp/1/p2p/${RELAY}/p2p-circuit`))).toBe(false)
  })

  it('public once a publicly routable address of its own is verified', () => {
    const addresses = [fact('/ip4/10.0.0.2/tcp/4590', true), fact('/ip4/7.0.0.1/tcp/4590', true)]
    expect(reachabilityOf({ addresses, reachesInternet: true, dialledFromInternet: false })).toBe(
      'public',
    )
  })

  it('public when a peer on the internet dialled it directly', () => {
    const untested = [fact('/ip4/7.0.0.1/tcp/4590', false, 0)]
    expect(
      reachabilityOf({ addresses: untested, reachesInternet: true, dialledFromInternet: true }),
    ).toBe('public')
  })

  it('unknown while such an address is untested, private once it was refused', () => {
    const untested = [fact('/ip4/7.0.0.1/tcp/4590', false, 0)]
    expect(
      reachabilityOf({ addresses: untested, reachesInternet: true, dialledFromInternet: false }),
    ).toBe('unknown')
    const refused = [fact('/ip4/7.0.0.1/tcp/4590', false, Date.now() + 60_000)]
    expect(
      reachabilityOf({ addresses: refused, reachesInternet: true, dialledFromInternet: false }),
    ).toBe('private')
  })

  it('only private addresses: private when it reaches the internet, else unknown (a LAN)', () => {
    const lan = [fact('/ip4/10.0.0.2/tcp/4590', true)]
    expect(
      reachabilityOf({ addresses: lan, reachesInternet: true, dialledFromInternet: false }),
    ).toBe('private')
    expect(
      reachabilityOf({ addresses: lan, reachesInternet: false, dialledFromInternet: false }),
    ).toBe('unknown')
    // what peers observed (the router's address) does not hold it back while untested
    const observed = [...lan, fact('/ip4/7.0.0.1/tcp/40123', false, 0, 'observed')]
    expect(
      reachabilityOf({ addresses: observed, reachesInternet: true, dialledFromInternet: false }),
    ).toBe('private')
    // a relayed address of its own is no public address
    const relayed = [...lan, fact(`/ip4/7.0.0.1/tcp/1/p2p/${RELAY}/p2p-circuit`, true)]
    expect(
      reachabilityOf({ addresses: relayed, reachesInternet: true, dialledFromInternet: false }),
    ).toBe('private')
  })
})

describe('connection kind', () => {
  const conn = (addr: string, open: number, limits?: object, status = 'open') =>
    ({ remoteAddr: multiaddr(addr), limits, timeline: { open }, status }) as never

  it('a circuit address or a limit makes a connection relayed', () => {
    expect(isRelayed(conn(`/ip4/7.0.0.1/tcp/1/p2p/${RELAY}/p2p-circuit`, 1))).toBe(true)
    expect(isRelayed(conn('/ip4/7.0.0.2/tcp/1', 1, { seconds: 60 }))).toBe(true)
    expect(isRelayed(conn('/ip4/7.0.0.2/tcp/1', 1))).toBe(false)
  })

  it('direct wins over relayed, since the oldest open one of the kind shown', () => {
    const relayed = conn(`/ip4/7.0.0.1/tcp/1/p2p/${RELAY}/p2p-circuit`, 100, { seconds: 60 })
    expect(linkOf([relayed])).toEqual({ kind: 'relayed', sinceMs: 100 })
    expect(
      linkOf([relayed, conn('/ip4/7.0.0.2/tcp/1', 300), conn('/ip4/7.0.0.2/tcp/2', 200)]),
    ).toEqual({
      kind: 'direct',
      sinceMs: 200,
    })
    expect(linkOf([conn('/ip4/7.0.0.2/tcp/1', 300, undefined, 'closed')])).toBeUndefined()
    expect(linkOf([])).toBeUndefined()
  })
})

describe('relay discovery filter', () => {
  it('offers bootstrap peers once each, and never anyone else', () => {
    const filter = bootstrapRelaysOnly([`/ip4/7.0.0.1/tcp/4590/p2p/${RELAY}`])
    const relay = peerIdFromString(RELAY)
    const other = peerIdFromString(OTHER)
    expect(filter.has(other)).toBe(true)
    expect(filter.has(relay)).toBe(false)
    filter.add(relay)
    filter.add(other)
    expect(filter.has(relay)).toBe(true)
    filter.remove(relay)
    expect(filter.has(relay)).toBe(false)
    expect(filter.has(other)).toBe(true)
  })
})

describe('AutoNAT dial-backs', () => {
  it('dial a single address anew, and leave lists, peers and other calls alone', async () => {
    const calls: unknown[] = []
    const manager = {
      openConnection: async (target: unknown, options?: object) => {
        calls.push([target, options])
        return {} as never
      },
      getMaxConnections: () => 7,
    }
    const fresh = freshDialBacks(manager)
    const ma = multiaddr(`/ip4/7.0.0.1/tcp/4590/p2p/${RELAY}`)
    const signal = AbortSignal.timeout(1000)
    await fresh.openConnection(ma, { signal })
    await fresh.openConnection([ma], { signal })
    await fresh.openConnection(peerIdFromString(RELAY), { signal })
    expect(calls[0]).toEqual([ma, { signal, force: true }])
    expect(calls[1]).toEqual([[ma], { signal }])
    expect((calls[2] as unknown[])[1]).toEqual({ signal })
    expect(fresh.getMaxConnections()).toBe(7)
  })
})
