import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type AlaraDaemon, createAlaraDaemon, initRepo, silentLogger } from '@alara/daemon'
import { encodeContribution, originOf, signContribution } from '@alara/protocol'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { type GossipSub, gossipsub, StrictNoSign } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { createLibp2p, type Libp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_TIMELOCK_SQUARINGS } from './helpers/paths.js'
import { waitFor } from './helpers/wait.js'

/**
 * Gossipsub scoring as configured for ALARA, against real libp2p peers on loopback: a
 * peer that sends invalid contributions loses score (and what it sent is not stored),
 * while an honest peer that never publishes anything keeps a score of zero or more; and
 * health-test failures are charged only to origins that really signed the bits.
 */

const NETWORK = 'scoring'
/** The gossip topics of a network (docs/PROTOCOL.md), as an outside peer names them. */
const topics = {
  contributions: `/alara/v1/${NETWORK}/contributions`,
  votes: `/alara/v1/${NETWORK}/votes`,
}

type Peer = Libp2p<{ identify: ReturnType<ReturnType<typeof identify>>; pubsub: GossipSub }>

/** What gossipsub has at run time but leaves out of its exported type. */
interface ScoredGossip {
  /** takes the peer id as a string (with a PeerId object it finds no stats and says 0) */
  getScore(peerId: string): number
  getMeshPeers(topic: string): string[]
  dumpPeerScoreStats(): unknown
}
const scored = (g: GossipSub): ScoredGossip => g as unknown as ScoredGossip

async function rawPeer(): Promise<Peer> {
  return (await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      pubsub: gossipsub({
        globalSignaturePolicy: StrictNoSign,
        allowPublishToZeroTopicPeers: true,
      }),
    },
  })) as unknown as Peer
}

/** Polls `check` (in-process state) until it holds, at most `timeoutMs`. */
const until = (check: () => boolean, timeoutMs: number, what: string): Promise<boolean> =>
  waitFor(check, (ok) => ok, { timeoutMs, intervalMs: 100, what })

describe('gossipsub scoring', () => {
  let home: string
  let daemon: AlaraDaemon
  let attacker: Peer
  let quiet: Peer

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'alara-scoring-'))
    await initRepo(home, { network: NETWORK })
    daemon = await createAlaraDaemon({
      home,
      overrides: {
        listen: ['/ip4/127.0.0.1/tcp/0'],
        api: '127.0.0.1:0',
        mdns: false,
        dht: false,
        epochMs: 1000,
        timelockSquarings: Number(TEST_TIMELOCK_SQUARINGS),
      },
      logger: silentLogger,
    })
    attacker = await rawPeer()
    quiet = await rawPeer()
    for (const p of [attacker, quiet]) {
      p.services.pubsub.subscribe(topics.contributions)
      await p.dial(daemon.libp2p.getMultiaddrs()[0] as never)
    }
    const pubsub = daemon.libp2p.services.pubsub
    await until(
      () => pubsub.getSubscribers(topics.contributions).length === 2,
      10_000,
      'both peers subscribed',
    )
  }, 30_000)

  afterAll(async () => {
    await Promise.allSettled([attacker?.stop(), quiet?.stop(), daemon?.stop()])
    await rm(home, { recursive: true, force: true })
  })

  it('rejects invalid contributions, lowers the sender score and spares the quiet peer', async () => {
    const pubsub = daemon.libp2p.services.pubsub
    // wait until the attacker is in the daemon's mesh, so its messages are delivered
    await until(
      () => scored(attacker.services.pubsub).getMeshPeers(topics.contributions).length > 0,
      10_000,
      'a mesh with the daemon',
    )
    for (let i = 0; i < 3; i++)
      await attacker.services.pubsub.publish(
        topics.contributions,
        new TextEncoder().encode(`not a contribution ${i}`),
      )
    await until(
      () => scored(pubsub).getScore(attacker.peerId.toString()) < -10,
      10_000,
      `the attacker's score to drop: ${JSON.stringify(scored(pubsub).dumpPeerScoreStats())}`,
    )
    // past gossipsub's default mesh-delivery activation (5 s), which would start punishing
    // a peer that delivers nothing: ALARA's parameters must not
    await new Promise((resolve) => setTimeout(resolve, 6000))
    expect(scored(pubsub).getScore(quiet.peerId.toString())).toBeGreaterThanOrEqual(0)
    expect(daemon.node.pool().stored).toBe(0)
  }, 30_000)

  it('counts a health-test failure against an origin only when that origin signed it', async () => {
    const key = await generateKeyPair('Ed25519')
    const origin = originOf(peerIdFromPrivateKey(key))
    const now = Date.now()
    const stuck = {
      network: NETWORK,
      seq: 1,
      epoch: Math.floor(now / 1000),
      timestampMs: now,
      bitLength: 64,
      bits: new Uint8Array(8), // 64 zeros: fails the repetition count test
    }
    // an origin that never connects is a stranger here, ignored before any health test:
    // list it, so that its bits are judged (docs/PROTOCOL.md, "Membership")
    await daemon.node.trustSet(peerIdFromPrivateKey(key).toString(), 0.5, true)
    const genuine = await signContribution(key, { ...stuck, origin })
    // the same bits claimed for the attacker's origin, signed by another key
    const forged = { ...genuine, origin: originOf(attacker.peerId), seq: 2 }
    for (const c of [genuine, forged])
      await quiet.services.pubsub.publish(topics.contributions, encodeContribution(c))
    const failures = () =>
      new Map(daemon.node.quality().origins.map((o) => [o.peerId, o.healthFailures]))
    await until(
      () => failures().get(peerIdFromPrivateKey(key).toString()) === 1,
      10_000,
      'the failure',
    )
    expect(failures().get(attacker.peerId.toString()) ?? 0).toBe(0)
    expect(daemon.node.pool().stored).toBe(0)
  }, 30_000)
})
