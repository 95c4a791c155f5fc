// A member peer that floods one ALARA daemon over gossipsub (StrictNoSign, the daemon's
// message id), for scripts/bench-hostile. Its own process, so the load it makes is not
// counted as the target's. Reads commands on stdin, answers JSON lines on stdout:
//   {"cmd":"prepare","count":N,"origins":K,"bits":B,"epoch":E,"epochMs":M,"network":"…"}
//   {"cmd":"calibrate","ms":T}        → single-core node:crypto verify rate on its messages
//   {"cmd":"flood","kind":"forged"|"valid","ms":T,"batch":B} → full speed for T ms
//   {"cmd":"honest","everyMs":P,"ms":T} → one valid contribution every P ms, each reported
// With `--honest` on the command line it does not subscribe to the topic: the target then
// never forwards it the flood (an honest node on this machine that verified every
// forwarded message would take the target's cores: the benchmark would be its own load).
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
  verifyContribution,
} from '@alara/protocol'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub, StrictNoSign } from '@libp2p/gossipsub'
import { RPC } from '@libp2p/gossipsub/message'
import { identify } from '@libp2p/identify'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'

const [target, topic, role] = process.argv.slice(2)
const honestRole = role === '--honest'
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`)
const wallMs = () => performance.timeOrigin + performance.now()

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
if (!honestRole) pubsub.subscribe(topic)
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

/** the signed contributions, decoded (forged variants are made from them) and encoded */
let signed = []
let valid = []
const cursor = { valid: 0, forged: 0 }

async function prepare({ count, origins, bits, epoch, epochMs, network }) {
  const keys = await Promise.all(Array.from({ length: origins }, () => generateKeyPair('Ed25519')))
  signed = []
  valid = []
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
    signed.push(c)
    valid.push(encodeContribution(c))
    // keep answering pings and identify, or the target drops the connection
    if (i % 64 === 63) await new Promise((r) => setImmediate(r))
  }
  // the target admits members' contributions only: it lists these origins first
  out({ event: 'prepared', count, origins: keys.map((k) => peerIdFromPrivateKey(k).toString()) })
}

/**
 * The n-th forged message: a signed contribution with one signature bit flipped. 512 bit
 * positions per contribution, so the supply never runs out (each is a new gossip id: a
 * repeat would be dropped by gossipsub's seen-cache, unjudged) and costs no signing.
 */
function forged(n) {
  const c = signed[n % signed.length]
  const bit = Math.floor(n / signed.length) % 512
  const bad = new Uint8Array(c.signature)
  bad[bit >> 3] ^= 1 << (bit & 7)
  return encodeContribution({ ...c, signature: bad })
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

/** One gossipsub RPC frame carrying `datas` (what gossipsub's publish sends, batched). */
const frame = (datas) =>
  RPC.encode({ subscriptions: [], messages: datas.map((data) => ({ topic, data })) })

/**
 * Full speed = as fast as the target takes them: frames go straight to the gossipsub
 * stream (pre-encoded, `batch` messages each; gossipsub's publish hashes, encodes and
 * copies every message and capped the sender near 4k/s), and the sender waits whenever
 * the stream asks it to drain.
 */
async function flood({ kind, ms, batch = 1 }) {
  await connect()
  let sent = 0
  const start = performance.now()
  const cpu0 = process.cpuUsage()
  while (performance.now() - start < ms) {
    if (kind === 'valid' && cursor.valid >= valid.length) break
    const datas = []
    for (let i = 0; i < batch; i++) {
      if (kind === 'valid') {
        if (cursor.valid >= valid.length) break
        datas.push(valid[cursor.valid++])
      } else datas.push(forged(cursor.forged++))
    }
    const stream = pubsub.streamsOutbound.get(targetId)
    if (stream === undefined) {
      await new Promise((r) => setTimeout(r, 50))
      continue
    }
    stream.push(frame(datas))
    sent += datas.length
    const raw = stream.rawStream
    if (raw.writableNeedsDrain === true)
      await new Promise((r) => {
        const t = setTimeout(r, 50)
        raw.addEventListener(
          'drain',
          () => {
            clearTimeout(t)
            r()
          },
          { once: true },
        )
      })
    else if (sent % 256 < batch) await new Promise((r) => setImmediate(r))
  }
  const connected = node.getConnections().some((c) => c.remotePeer.toString() === targetId)
  const elapsed = performance.now() - start
  const cpu = process.cpuUsage(cpu0)
  // the flooder shares the machine's cores with the target: its own CPU, in cores
  const cores = (cpu.user + cpu.system) / 1000 / elapsed
  out({ event: 'flooded', kind, sent, connected, ms: Math.round(elapsed), cores })
}

/** Publishes the next valid contribution every `everyMs`, reporting its id and wall time. */
async function honest({ everyMs, ms }) {
  const start = performance.now()
  let sent = 0
  while (performance.now() - start < ms && cursor.valid < valid.length) {
    const data = valid[cursor.valid]
    const { idHex } = verifyContribution(signed[cursor.valid++])
    const atMs = wallMs()
    await pubsub.publish(topic, data).catch(() => {})
    out({ event: 'published', idHex, atMs })
    sent++
    await new Promise((r) => setTimeout(r, start + sent * everyMs - performance.now()))
  }
  out({ event: 'honest-done', sent })
}

for await (const line of createInterface({ input: process.stdin })) {
  const cmd = JSON.parse(line)
  if (cmd.cmd === 'prepare') await prepare(cmd)
  else if (cmd.cmd === 'calibrate') calibrate(cmd)
  else if (cmd.cmd === 'flood') await flood(cmd)
  else if (cmd.cmd === 'honest') void honest(cmd)
  else if (cmd.cmd === 'stop') break
}
await node.stop()
process.exit(0)
