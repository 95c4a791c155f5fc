// A member peer that floods one ALARA daemon over gossipsub (StrictNoSign, the daemon's
// message id), for scripts/bench-hostile. Its own process, so the load it makes is not
// counted as the target's. Reads commands on stdin, answers JSON lines on stdout:
//   {"cmd":"prepare","count":N,"origins":K,"bits":B,"epoch":E,"epochMs":M,"network":"…"}
//   {"cmd":"calibrate","ms":T}        → single-core node:crypto verify rate on its messages
//   {"cmd":"flood","kind":"forged"|"valid","ms":T} → publishes at full speed for T ms
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import {
  checkSignature,
  contributionSigningBytes,
  decodeContribution,
  encodeContribution,
  gossipMessageId,
  originOf,
  signContribution,
} from '@alara/protocol'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub, StrictNoSign } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'

const [target, topic] = process.argv.slice(2)
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
      emitSelf: false,
    }),
  },
})
const pubsub = node.services.pubsub
pubsub.subscribe(topic)
const targetMa = multiaddr(target)
const targetId = target.split('/p2p/')[1]
// (re)connected, and the target subscribed: publishing to nobody would measure nothing
async function connect() {
  await node.dial(targetMa)
  const deadline = Date.now() + 30_000
  while (!pubsub.getSubscribers(topic).some((p) => p.toString() === targetId)) {
    if (Date.now() > deadline) throw new Error('target never subscribed')
    await new Promise((r) => setTimeout(r, 50))
  }
}
await connect()
out({ event: 'connected', peerId: node.peerId.toString() })

let valid = []
let forged = []
const cursor = { valid: 0, forged: 0 }

async function prepare({ count, origins, bits, epoch, epochMs, network }) {
  const keys = await Promise.all(Array.from({ length: origins }, () => generateKeyPair('Ed25519')))
  valid = []
  forged = []
  for (let i = 0; i < count; i++) {
    const key = keys[i % origins]
    const c = await signContribution(key, {
      network,
      origin: originOf(peerIdFromPrivateKey(key)),
      seq: i + 1,
      epoch,
      timestampMs: epoch * epochMs + (i % epochMs),
      bitLength: bits,
      bits: new Uint8Array(randomBytes(bits / 8)),
    })
    valid.push(encodeContribution(c))
    const bad = new Uint8Array(c.signature)
    bad[i % 64] ^= 0x01
    forged.push(encodeContribution({ ...c, signature: bad }))
    // keep answering pings and identify, or the target drops the connection
    if (i % 64 === 63) await new Promise((r) => setImmediate(r))
  }
  out({ event: 'prepared', count })
}

function calibrate({ ms }) {
  // the same work as the daemon's verify: one cached key per origin, node:crypto verify
  const checks = valid.map((bytes) => {
    const c = decodeContribution(bytes)
    return { origin: c.origin, message: contributionSigningBytes(c), signature: c.signature }
  })
  let n = 0
  const start = performance.now()
  while (performance.now() - start < ms) {
    for (let i = 0; i < 64; i++) checkSignature(checks[(n + i) % checks.length])
    n += 64
  }
  out({ event: 'calibrated', perSecond: Math.round((n * 1000) / (performance.now() - start)) })
}

async function flood({ kind, ms }) {
  const list = kind === 'valid' ? valid : forged
  await connect()
  const stream = () => pubsub.streamsOutbound.get(targetId)?.rawStream
  let sent = 0
  const start = performance.now()
  // each message once: a repeat would be dropped by gossipsub's seen-cache, unjudged
  while (performance.now() - start < ms && cursor[kind] < list.length) {
    await pubsub.publish(topic, list[cursor[kind]++])
    sent++
    const raw = stream()
    // full speed = as fast as the target takes them: wait while the stream needs draining
    if (raw?.writableNeedsDrain === true)
      await new Promise((r) => {
        const t = setTimeout(r, 50)
        const drained = () => {
          clearTimeout(t)
          r()
        }
        raw.addEventListener('drain', drained, { once: true })
      })
    else if (sent % 64 === 0) await new Promise((r) => setImmediate(r))
  }
  const connected = node.getConnections().some((c) => c.remotePeer.toString() === targetId)
  out({ event: 'flooded', kind, sent, connected, ms: Math.round(performance.now() - start) })
}

for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line)
  if (cmd.cmd === 'prepare') await prepare(cmd)
  else if (cmd.cmd === 'calibrate') calibrate(cmd)
  else if (cmd.cmd === 'flood') await flood(cmd)
  else if (cmd.cmd === 'stop') break
}
await node.stop()
process.exit(0)
