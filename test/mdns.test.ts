import { afterAll, describe, expect, it } from 'vitest'
import { startNodes } from './helpers/epochs.js'
import { Harness } from './helpers/harness.js'
import { expectFullMesh, peersOf } from './helpers/network.js'
import { eventually } from './helpers/wait.js'

/**
 * LAN discovery: three daemons of one network with mDNS on and no address of each other
 * find each other (on loopback, as on a LAN) and, since libp2p 3 only reports what it
 * discovers, dial each other into a full mesh. The harness gives each file its own
 * network name, and the mDNS service tag carries it, so other files' daemons stay apart.
 */

const h = new Harness('mdns')
afterAll(() => h.cleanup())

describe('mdns', () => {
  it('three daemons with no address of each other connect by mDNS', async () => {
    // on another network: it must hear nothing of them, nor they of it
    // the four started at once: none needs another's address
    const [stranger, nodes] = await Promise.all([
      h.start({ mdns: true, network: `${h.network}-other` }),
      startNodes(h, 3, { mdns: true }),
    ])
    await eventually(() => expectFullMesh(nodes, 'api'), {
      intervalMs: 200,
      what: 'a full mesh found by mDNS',
    })
    // a whole mDNS interval (5 s) after the mesh formed, still alone
    await new Promise((resolve) => setTimeout(resolve, 6000))
    expect((await peersOf(stranger)).filter((p) => p.connected)).toEqual([])
    await expectFullMesh(nodes)
  })
})
