// One raw gossipsub node for scripts/bench-propagation: the daemon's gossipsub set-up
// (StrictNoSign, ALARA's message id, its frame limits, topic scoring and the default D
// parameters) with nothing of ALARA behind it, in a process of its own. Commands on
// stdin, JSON lines on stdout; times are Date.now() of this process (one machine clock
// for every process of the benchmark):
//   → {"event":"ready","addr":…}
//   {"cmd":"dial","addrs":[…]}            → {"event":"dialed"}
//   {"cmd":"mesh","want":K}               → {"event":"meshed"} once K mesh peers
//   {"cmd":"publish","seq":S,"size":B}    → {"event":"published","seq":S,"t":…}
//   a message received                    → {"event":"recv","seq":S,"t":…}
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { gossipMessageId, resolveParams } from '@alara/protocol'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub, StrictNoSign } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { scoreParams } from '../dist/gossip/scoring.js'
import { gossipFrameLimits, topicsOf } from '../dist/index.js'

const topics = topicsOf('bench-raw')
const topic = topics.contributions
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`)

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    pubsub: gossipsub({
      globalSignaturePolicy: StrictNoSign,
      msgIdFn: (msg) => gossipMessageId(msg.data),
      allowPublishToZeroTopicPeers: true,
      ignoreDuplicatePublishError: true,
      emitSelf: false,
      ...gossipFrameLimits(resolveParams()),
      allowedTopics: [topics.contributions, topics.votes],
      scoreParams: scoreParams(topics),
    }),
  },
})
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
