// One raw gossipsub node for scripts/bench-propagation: the daemon's libp2p node
// (createAlaraLibp2p: StrictNoSign, ALARA's message id, its frame limits, topic scoring,
// the default D parameters, the yamux window) with nothing of ALARA behind it, in a
// process of its own. Commands on stdin, JSON lines on stdout; times are Date.now() of
// this process (one machine clock for every process of the benchmark):
//   → {"event":"ready","addr":…}
//   {"cmd":"dial","addrs":[…]}            → {"event":"dialed"}
//   {"cmd":"mesh","want":K}               → {"event":"meshed"} once K mesh peers
//   {"cmd":"publish","seq":S,"size":B}    → {"event":"published","seq":S,"t":…}
//   a message received                    → {"event":"recv","seq":S,"t":…}
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { DEFAULT_PARAMS } from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createAlaraLibp2p, mergeConfig, msgIdFn, topicsOf } from '../dist/index.js'

const topics = topicsOf('bench-raw')
const topic = topics.contributions
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`)

// the daemon's own libp2p node (transports, yamux window, gossipsub options, scoring),
// with no ALARA service behind it: no validators, no store, no epochs
const node = await createAlaraLibp2p({
  privateKey: await generateKeyPair('Ed25519'),
  config: mergeConfig({
    network: 'bench-raw',
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    dht: false,
  }),
  msgIdFn,
  params: DEFAULT_PARAMS,
})
await node.start()
const pubsub = node.services.pubsub
pubsub.subscribe(topic)
pubsub.addEventListener('message', (evt) => {
  const t = Date.now()
  const { data } = evt.detail
  out({ event: 'recv', seq: Buffer.from(data).readUInt32BE(0), t })
})

const commands = {
  async dial({ addrs }) {
    await Promise.all(addrs.map((a) => node.dial(multiaddr(a))))
    out({ event: 'dialed' })
  },
  async mesh({ want }) {
    // a short in-process wait for the heartbeat to graft: set-up, not the measurement
    const until = Date.now() + 30_000
    while (pubsub.getMeshPeers(topic).length < want) {
      if (Date.now() > until) throw new Error(`mesh has ${pubsub.getMeshPeers(topic).length}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    out({ event: 'meshed' })
  },
  async publish({ seq, size }) {
    const data = randomBytes(size)
    data.writeUInt32BE(seq, 0)
    const t = Date.now()
    await pubsub.publish(topic, data)
    out({ event: 'published', seq, t })
  },
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const msg = JSON.parse(line)
  commands[msg.cmd](msg).catch((err) => {
    console.error(`rawsub: ${msg.cmd}: ${err.message}`)
    process.exit(1)
  })
})
process.stdin.once('end', () => node.stop().then(() => process.exit(0)))
process.once('SIGTERM', () => node.stop().then(() => process.exit(0)))
out({ event: 'ready', addr: `${node.getMultiaddrs()[0]}` })
