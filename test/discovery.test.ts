import { afterAll, describe, expect, it } from 'vitest'
import type { DaemonProcess } from './helpers/daemon.js'
import { Harness } from './helpers/harness.js'
import { expectFullMesh } from './helpers/network.js'
import { idOf } from './helpers/node-state.js'
import { eventually } from './helpers/wait.js'

/**
 * Discovery without mDNS: nodes 1..3 only know node 0's address (--bootstrap
 * <listen multiaddr>/p2p/<id>); identify and kad-dht must do the rest, until every node
 * lists the three others as connected (DESIGN.md "Discovery": bootstrap list, kad-dht).
 */

const h = new Harness('discovery')
afterAll(() => h.cleanup())

describe('discovery', () => {
  it('four daemons that know one bootstrap address become fully connected', async () => {
    const first = await h.start()
    const bootstrap = first.multiaddr
    expect(bootstrap).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${first.peerId}$`))
    const others: DaemonProcess[] = []
    for (let i = 0; i < 3; i++) others.push(await h.start({ bootstrap: [bootstrap] }))
    const nodes = [first, ...others]

    // every node is what it says it is
    for (const d of nodes) expect((await idOf(d.home)).peerId).toBe(d.peerId)

    await eventually(() => expectFullMesh(nodes, 'api'), {
      intervalMs: 200,
      what: 'a full mesh of four nodes',
    })
    await expectFullMesh(nodes)
  })
})
