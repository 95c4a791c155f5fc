// Restart (scripts/bench-restart, docs/BENCHMARKS.md): a repo whose store holds COUNT
// signed contributions of the retained window (from 1000 origins over the last epochs),
// then `alara daemon` started on it: time from spawn to the ready line, and the daemon's
// RSS once ready (VmRSS). Once with verifyThreads 0 (main thread), once with the pool.

import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import {
  contributionId,
  encodeContribution,
  originOf,
  signContribution,
  toHex,
} from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { initRepo } from '../dist/index.js'
import { AlaraStore } from '../dist/store.js'

const COUNT = Number(process.env.COUNT ?? 100_000)
const BITS = Number(process.env.BITS ?? 256)
const ORIGINS = 1000
const EPOCH_MS = 5000
const cli = new URL('../../cli/dist/bin.js', import.meta.url).pathname

const home = await mkdtemp(join(tmpdir(), 'alara-restart-'))
try {
  await initRepo(home, { network: 'bench-restart' })
  const config = {
    network: 'bench-restart',
    epochMs: EPOCH_MS,
    maxPerEpoch: 1_000_000,
    listen: ['/ip4/127.0.0.1/tcp/0'],
    api: '127.0.0.1:0',
    mdns: false,
    dht: false,
  }
  const store = await AlaraStore.open(join(home, 'datastore'))
  const keys = await Promise.all(Array.from({ length: ORIGINS }, () => generateKeyPair('Ed25519')))
  const origins = keys.map((k) => originOf(peerIdFromPrivateKey(k)))
  const current = Math.floor(Date.now() / EPOCH_MS)
  const perEpoch = Math.ceil(COUNT / 600) // spread over 600 epochs of the 720 retained
  const t0 = performance.now()
  for (let i = 0; i < COUNT; i++) {
    const epoch = current - 2 - Math.floor(i / perEpoch)
    const k = i % ORIGINS
    const c = await signContribution(keys[k], {
      network: config.network,
      origin: origins[k],
      seq: i + 1,
      epoch,
      timestampMs: epoch * EPOCH_MS + (i % EPOCH_MS),
      bitLength: BITS,
      bits: new Uint8Array(randomBytes(BITS / 8)),
    })
    store.queueContribution(toHex(contributionId(c)), epoch, encodeContribution(c))
    if (i % 512 === 511) await store.flush()
  }
  await store.flush()
  await store.close()
  console.error(
    `filled ${COUNT} contributions in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  )

  const rows = []
  for (const verifyThreads of [0, undefined]) {
    await writeFile(join(home, 'config.json'), JSON.stringify({ ...config, verifyThreads }))
    const t = performance.now()
    const child = spawn(process.execPath, [cli, 'daemon', '--home', home, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let log = ''
    child.stderr.on('data', (d) => {
      log += d
    })
    await new Promise((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (l) => l.includes('"ready"') && resolve())
      child.once('exit', (code) => reject(new Error(`daemon exited ${code}: ${log}`)))
    })
    const readyMs = performance.now() - t
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8')
    const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024
    const reloaded = /reloaded (\d+) contributions/.exec(log)?.[1]
    rows.push({ verifyThreads: verifyThreads ?? 'default', readyMs, rssMb, reloaded })
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
  }
  console.log(
    `| stored | bits | verifyThreads | reloaded | start → ready (s) | RSS when ready (MB) |`,
  )
  console.log('|---:|---:|---|---:|---:|---:|')
  for (const r of rows)
    console.log(
      `| ${COUNT.toLocaleString('en')} | ${BITS} | ${r.verifyThreads} | ${r.reloaded} | ${(r.readyMs / 1000).toFixed(1)} | ${r.rssMb.toFixed(0)} |`,
    )
} finally {
  await rm(home, { recursive: true, force: true })
}
