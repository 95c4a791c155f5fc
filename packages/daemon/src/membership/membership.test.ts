import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it } from 'vitest'
import { type FakeComponents, fakeComponents, fakePeer } from '../test-helpers/fake-components.js'
import { isDirectLanAddress, isLanIp, lanRoomLeft, standingOf } from './membership-rules.js'
import { MembershipService } from './membership-service.js'

describe('LAN addresses', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '10.255.255.254',
    '172.16.0.1',
    '172.31.255.1',
    '192.168.1.10',
    '169.254.3.4',
    '::1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'febf::1',
    '::ffff:192.168.1.2',
  ])('%s is a LAN address', (ip) => {
    expect(isLanIp(ip)).toBe(true)
  })

  it.each([
    '8.8.8.8',
    '172.15.0.1',
    '172.32.0.1',
    '192.169.0.1',
    '100.64.0.1',
    '11.0.0.1',
    '2001:db8::1',
    '2606:4700::1111',
    'fec0::1',
    '::ffff:8.8.8.8',
    '0.0.0.0',
    'not an ip',
  ])('%s is not', (ip) => {
    expect(isLanIp(ip)).toBe(false)
  })

  it('a direct connection from the LAN counts; relayed, public or DNS does not', () => {
    expect(isDirectLanAddress(multiaddr('/ip4/127.0.0.1/tcp/4590'))).toBe(true)
    expect(isDirectLanAddress(multiaddr('/ip6/fe80::1/tcp/4590'))).toBe(true)
    expect(isDirectLanAddress(multiaddr('/ip4/192.168.0.7/udp/4590/quic-v1'))).toBe(true)
    expect(isDirectLanAddress(multiaddr('/ip4/8.8.8.8/tcp/4590'))).toBe(false)
    expect(
      isDirectLanAddress(
        multiaddr(
          '/ip4/10.0.0.1/tcp/4590/p2p/12D3KooWHFrmLWTTDD4NodngtRMEVYmBQaWGoRFh6ynEFgUb3bvu/p2p-circuit',
        ),
      ),
    ).toBe(false)
    expect(isDirectLanAddress(multiaddr('/dns4/localhost/tcp/4590'))).toBe(false)
  })
})

describe('standing', () => {
  const open = { closed: false, defaultTrust: 0.8 }
  const closed = { closed: true, defaultTrust: 0.8 }

  it('self is a member at trust 1', () => {
    expect(standingOf(undefined, true, open)).toMatchObject({ member: true, trust: 1 })
  })

  it('listed with trust > 0 and active: member at its level, manual or lan', () => {
    for (const source of ['manual', 'lan'] as const)
      expect(standingOf({ trust: 0.5, active: true, source }, false, open)).toEqual({
        member: true,
        admitted: true,
        trust: 0.5,
        active: true,
      })
  })

  it('trust 0 or inactive: not a member, but admitted (stored, not folded)', () => {
    const zero = standingOf({ trust: 0, active: true, source: 'manual' }, false, open)
    const inactive = standingOf({ trust: 0.9, active: false, source: 'manual' }, false, closed)
    for (const s of [zero, inactive]) expect(s).toMatchObject({ member: false, admitted: true })
  })

  it('unlisted: a stranger on an open network, a member at defaultTrust on a closed one', () => {
    expect(standingOf(undefined, false, open)).toMatchObject({ member: false, admitted: false })
    expect(standingOf(undefined, false, closed)).toEqual({
      member: true,
      admitted: true,
      trust: 0.8,
      active: true,
    })
  })

  it('maxMembers bounds the automatic entries', () => {
    expect(lanRoomLeft(0, 1)).toBe(true)
    expect(lanRoomLeft(1, 1)).toBe(false)
    expect(lanRoomLeft(0, 0)).toBe(false)
  })
})

describe('trust book: sources and transitions', () => {
  let f: FakeComponents
  afterEach(() => f.close())

  it('lan → manual (trust set) → removed → lan again; entries persist with their source', async () => {
    f = await fakeComponents({ closed: false })
    const { trust, store } = f.components
    const p = await fakePeer()
    const id = p.peerId.toString()
    expect(trust.isMember(p.originHex)).toBe(false)
    await trust.addLan(id, p.originHex)
    expect(trust.isMember(p.originHex)).toBe(true)
    expect(trust.list()).toEqual([{ peerId: id, trust: 0.8, active: true, source: 'lan' }])
    expect((await store.trust()).get(id)).toEqual({ trust: 0.8, active: true, source: 'lan' })
    // a listed peer is not added again
    expect(trust.addLan(id, p.originHex)).toBeUndefined()
    await trust.set(id, 0, true)
    expect(trust.list()[0]).toMatchObject({ trust: 0, source: 'manual' })
    expect(trust.standing(p.originHex)).toMatchObject({ member: false, admitted: true })
    // a manual entry is not overridden by the LAN rule
    expect(trust.addLan(id, p.originHex)).toBeUndefined()
    await trust.remove(id)
    expect(trust.standing(p.originHex)).toMatchObject({ member: false, admitted: false })
    await trust.addLan(id, p.originHex)
    expect(trust.list()[0]).toMatchObject({ source: 'lan' })
  })

  it('at most maxMembers lan entries; manual ones do not count', async () => {
    f = await fakeComponents({ closed: false, config: { maxMembers: 2 } })
    const { trust } = f.components
    const peers = await Promise.all([1, 2, 3, 4].map(() => fakePeer()))
    const [a, b, c, d] = peers as [
      Awaited<ReturnType<typeof fakePeer>>,
      Awaited<ReturnType<typeof fakePeer>>,
      Awaited<ReturnType<typeof fakePeer>>,
      Awaited<ReturnType<typeof fakePeer>>,
    ]
    await trust.set(d.peerId.toString(), 1, true)
    await trust.addLan(a.peerId.toString(), a.originHex)
    await trust.addLan(b.peerId.toString(), b.originHex)
    // the first refusal is reported (logged once), later ones are silent
    await expect(trust.addLan(c.peerId.toString(), c.originHex)).rejects.toThrow(/maxMembers/)
    expect(trust.addLan(c.peerId.toString(), c.originHex)).toBeUndefined()
    expect(trust.isMember(c.originHex)).toBe(false)
    // removing a lan entry makes room again
    await trust.remove(a.peerId.toString())
    await trust.addLan(c.peerId.toString(), c.originHex)
    expect(trust.isMember(c.originHex)).toBe(true)
  })

  it('the node itself is a member at trust 1 and never a lan entry', async () => {
    f = await fakeComponents({ closed: false })
    const { trust, selfHex, peerId } = f.components
    expect(trust.standing(selfHex)).toMatchObject({ member: true, trust: 1 })
    expect(trust.addLan(peerId.toString(), selfHex)).toBeUndefined()
    expect(trust.list()).toEqual([])
  })
})

describe('MembershipService: LAN members from connections', () => {
  let f: FakeComponents
  afterEach(() => f.close())

  const open = (f: FakeComponents, peerId: unknown, addr: string, limits?: object) =>
    f.libp2pEvents.dispatchEvent(
      new CustomEvent('connection:open', {
        detail: { remotePeer: peerId, remoteAddr: multiaddr(addr), limits },
      }),
    )

  it('a direct LAN connection makes a lan member at once; public or relayed does not', async () => {
    f = await fakeComponents({ closed: false })
    const service = new MembershipService(f.components)
    service.start()
    const [lan, pub, relayed] = [await fakePeer(), await fakePeer(), await fakePeer()]
    open(f, lan.peerId, '/ip4/192.168.1.20/tcp/4590')
    open(f, pub.peerId, '/ip4/8.8.8.8/tcp/4590')
    open(f, relayed.peerId, '/ip4/10.0.0.2/tcp/4590', { bytes: 1n })
    // synchronous: gossip right behind the connection is classified correctly
    expect(f.components.trust.isMember(lan.originHex)).toBe(true)
    expect(f.components.trust.isMember(pub.originHex)).toBe(false)
    expect(f.components.trust.isMember(relayed.originHex)).toBe(false)
    service.stop()
  })

  it('off with lanMembers false: only the trust store makes members', async () => {
    f = await fakeComponents({ closed: false, config: { lanMembers: false } })
    const service = new MembershipService(f.components)
    service.start()
    const p = await fakePeer()
    open(f, p.peerId, '/ip4/127.0.0.1/tcp/4590')
    expect(f.components.trust.isMember(p.originHex)).toBe(false)
    expect(f.components.trust.list()).toEqual([])
    service.stop()
  })
})
