import { afterAll, describe, expect, it } from 'vitest'
import { cliJson } from './helpers/cli.js'
import type { DaemonProcess } from './helpers/daemon.js'
import { Harness } from './helpers/harness.js'
import { expectFullMesh, waitConnected } from './helpers/network.js'
import { eventually } from './helpers/wait.js'

/**
 * `alara connect MA` makes a connection that stays up while both daemons run: healthy
 * peers on loopback must not be dropped by the node itself. (libp2p's connection
 * monitor pings every connection every 10 s and aborts it when a ping fails; the
 * connects below are spread over 12 s so that some land near every node's tick.)
 */

const h = new Harness('connect')
afterAll(() => h.cleanup())

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** What libp2p's connection monitor logged about aborted connections, per node. */
function monitorErrors(nodes: DaemonProcess[]): string {
  return nodes
    .map((d) => {
      const lines = d.stderr
        .split('\n')
        .filter((l) => l.includes('connection-monitor') && !l.startsWith(' '))
        .map((l) => l.slice(0, 240))
      return lines.length === 0 ? '' : `${d.peerId}:\n  ${lines.join('\n  ')}`
    })
    .filter((s) => s !== '')
    .join('\n')
}

/** The failure says why: the connection monitor's own log lines, when it aborted any. */
async function fullMesh(nodes: DaemonProcess[], via: 'cli' | 'api'): Promise<void> {
  try {
    await expectFullMesh(nodes, via)
  } catch (err) {
    const why = monitorErrors(nodes)
    if (why !== '' && err instanceof Error) err.message += `\nconnection monitor log:\n${why}`
    throw err
  }
}

describe('connect', () => {
  it('connections made with alara connect stay up', async () => {
    // the monitor's error lines (DEBUG) go to stderr, so a failure can say why
    const env = { DEBUG: 'libp2p:connection-monitor:error' }
    const nodes = await Promise.all([1, 2, 3, 4].map(() => h.start({ env })))
    const pairs: Array<[DaemonProcess, DaemonProcess]> = []
    for (const [i, a] of nodes.entries()) for (const b of nodes.slice(i + 1)) pairs.push([a, b])

    // one connect every 2 s, each checked on both sides
    for (const [a, b] of pairs) {
      const started = Date.now()
      const res = await cliJson<{ peerId: string }>(a.home, ['connect', b.multiaddr])
      expect(res.peerId).toBe(b.peerId)
      await waitConnected(a, [b])
      await sleep(Math.max(0, 2_000 - (Date.now() - started)))
    }

    await eventually(() => fullMesh(nodes, 'api'), { what: 'a full mesh' })
    await fullMesh(nodes, 'cli')
    // then it stays that way: every look for 11 s (a full tick of every node) shows every
    // connection up (an observation over a span of time, so a clock wait by design)
    const until = Date.now() + 11_000
    while (Date.now() < until) {
      await fullMesh(nodes, 'api')
      await sleep(500)
    }
    await fullMesh(nodes, 'cli')
  })
})
