// Restart (scripts/bench-restart, docs/BENCHMARKS.md): a repo whose store holds COUNT
// signed contributions of the retained window (from 1000 origins over the last epochs),
// then `alara daemon` started on it: time from spawn to the ready line (and of the reload
// itself, from the daemon's log), and the daemon's RSS (VmRSS) once ready and SETTLE_S (60)
// s later, idle. The store is
// filled sealed under the repo's store key (as a daemon writes it); with UPGRADE=1 it is
// filled unsealed (a store older than seals) and the first start, which verifies every
// signature and seals, is timed too. Then starts with verifyThreads 0 (main thread) and
// the default pool (THREADS=0,default). PROFILE_DIR: the daemons run with --cpu-prof there.
// FINALS=1 (default): the epochs older than finalMs are written frozen too, as a daemon
// that ran leaves them, one contribution per value as before frozen records; the first
// start then rewrites them as one record per epoch (timed, "migrates"), and the starts
// after it read the records. FINALS=0: no epoch frozen (every one caught up after start).

import { spawn } from 'node:child_process'
import { createPrivateKey, randomBytes, sign } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import {
  contributionSigningBytes,
  encodeContribution,
  originOf,
  sha256,
  toHex,
} from '@alara/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { NODE_FLAGS } from '../../cli/dist/node-flags.js'
import { initRepo } from '../dist/index.js'
import { AlaraStore } from '../dist/store/store.js'
import { loadStoreKey } from '../dist/store/store-key.js'
import { StoreSealer } from '../dist/store/store-seal.js'
import { cpuSeconds, rssMb as rssOf, sleep } from './lib/cluster.mjs'

const COUNT = Number(process.env.COUNT ?? 100_000)
const BITS = Number(process.env.BITS ?? 256)
const UPGRADE = process.env.UPGRADE === '1'
const PROFILE_DIR = process.env.PROFILE_DIR
/** the verifyThreads of the sealed starts: `0,default` */
const THREADS = (process.env.THREADS ?? '0,default').split(',')
/** seconds the daemon then stays up, idle, before its RSS is read again (V8 returns the heap
 *  a reload grew once the process is idle) */
const SETTLE_S = Number(process.env.SETTLE_S ?? 60)
const FINALS = process.env.FINALS !== '0'
const ORIGINS = 1000
const EPOCH_MS = 5000
const cli = new URL('../../cli/dist/bin.js', import.meta.url).pathname
// PKCS#8 DER of an Ed25519 seed: signing through node:crypto with one KeyObject per origin
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex')

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
  const sealer = UPGRADE ? undefined : new StoreSealer(await loadStoreKey(home))
  const store = await AlaraStore.open(join(home, 'datastore'), undefined, sealer)
  const keys = await Promise.all(Array.from({ length: ORIGINS }, () => generateKeyPair('Ed25519')))
  const origins = keys.map((k) => originOf(peerIdFromPrivateKey(k)))
  const signers = keys.map((k) =>
    createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519, k.raw.subarray(0, 32)]),
      format: 'der',
      type: 'pkcs8',
    }),
  )
  const current = Math.floor(Date.now() / EPOCH_MS)
  const perEpoch = Math.ceil(COUNT / 600) // spread over 600 epochs of the 720 retained
  const t0 = performance.now()
  /** ids by epoch, for the final records */
  const idsOf = new Map()
  for (let i = 0; i < COUNT; i++) {
    const epoch = current - 2 - Math.floor(i / perEpoch)
    const k = i % ORIGINS
    const unsigned = {
      network: config.network,
      origin: origins[k],
      seq: i + 1,
      epoch,
      timestampMs: epoch * EPOCH_MS + (i % EPOCH_MS),
      bitLength: BITS,
      bits: new Uint8Array(randomBytes(BITS / 8)),
    }
    const message = contributionSigningBytes(unsigned)
    const signature = new Uint8Array(sign(null, message, signers[k]))
    const idHex = toHex(sha256(message))
    store.queueContribution(idHex, epoch, encodeContribution({ ...unsigned, signature }))
    if (!idsOf.has(epoch)) idsOf.set(epoch, [])
    idsOf.get(epoch).push(idHex)
    if (i % 512 === 511) await store.flush()
  }
  await store.flush()
  // frozen as a daemon freezes them: every stored id folded (unlisted origins have the
  // default trust); the newest epochs are left open (finalMs = 3 epochs)
  if (FINALS)
    for (const [epoch, ids] of idsOf)
      if (epoch < current - 4)
        await store.putFinal(
          epoch,
          ids.sort().map((h) => Buffer.from(h, 'hex')),
        )
  await store.close()
  console.error(
    `filled ${COUNT} ${UPGRADE ? 'unsealed' : 'sealed'} contributions in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  )

  const runs = [
    ...(UPGRADE ? [{ store: 'unsealed (first start)', verifyThreads: undefined }] : []),
    ...(FINALS
      ? [{ store: 'finals, single values (first start: migrates)', verifyThreads: 0 }]
      : []),
    ...THREADS.map((t) => ({
      store: FINALS ? 'sealed, final epochs as records' : 'sealed',
      verifyThreads: t === 'default' ? undefined : Number(t),
    })),
  ]
  const rows = []
  for (const run of runs) {
    await writeFile(
      join(home, 'config.json'),
      JSON.stringify({ ...config, verifyThreads: run.verifyThreads }),
    )
    const load = loadavg()[0]
    const flags = PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`]
    const t = performance.now()
    // as the `alara` command starts Node (its shebang's V8 flags)
    const child = spawn(
      process.execPath,
      [...NODE_FLAGS, ...flags, cli, 'daemon', '--home', home, '--json'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let log = ''
    child.stderr.on('data', (d) => {
      log += d
    })
    await new Promise((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (l) => l.includes('"ready"') && resolve())
      child.once('exit', (code) => reject(new Error(`daemon exited ${code}: ${log}`)))
    })
    const readyMs = performance.now() - t
    // CPU seconds the daemon used to get there (all its threads): less bent by the load of
    // a shared machine than wall time, which also counts waiting for a core
    const cpuS = await cpuSeconds(child.pid)
    const rssMb = await rssOf(child.pid)
    // file-backed pages counted in VmRSS: the node binary, and LevelDB's table files, which
    // it maps to read them (the reload reads every stored byte): reclaimable page cache
    const fileMb =
      Number(/RssFile:\s+(\d+)/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))?.[1]) /
      1024
    // the steady state an operator sees: read once a second, the last read after SETTLE_S
    let settledMb = rssMb
    for (let s = 0; s < SETTLE_S; s++) {
      await sleep(1000)
      settledMb = await rssOf(child.pid)
    }
    const [, reloaded = '0', reloadMs = '0'] =
      /reloaded (\d+) contributions from the store in (\d+) ms/.exec(log) ?? []
    const verified = /verified (\d+) unsealed/.exec(log)?.[1] ?? '0'
    // a migrating start is left to write its records (a stop would drop those queued)
    const migrateStart = performance.now()
    while (/rewriting \d+ final epochs/.test(log) && !/rewrote \d+ final epochs/.test(log)) {
      if (performance.now() - migrateStart > 600_000) throw new Error('no migration in 10 min')
      await sleep(500)
    }
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
    const rewrote = /rewrote (\d+) final epochs as records in (\d+) ms/.exec(log)
    rows.push({
      ...run,
      readyMs,
      reloadMs: Number(reloadMs),
      cpuS,
      rssMb,
      fileMb,
      settledMb,
      reloaded,
      verified,
      rewrote:
        rewrote === null
          ? ''
          : ` (${rewrote[1]} epochs rewritten in ${(Number(rewrote[2]) / 1000).toFixed(1)} s)`,
      load,
    })
  }
  console.log(
    `| stored | bits | store | verifyThreads | reloaded | verified by signature | reload (s) | start → ready (s) | CPU to ready (s) | RSS when ready (MB) | of which file-backed (MB) | RSS ${SETTLE_S} s later (MB) | load avg (1 min) |`,
  )
  console.log('|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const r of rows)
    console.log(
      `| ${COUNT.toLocaleString('en')} | ${BITS} | ${r.store}${r.rewrote} | ${r.verifyThreads ?? 'default'} | ${r.reloaded} | ${r.verified} | ${(r.reloadMs / 1000).toFixed(1)} | ${(r.readyMs / 1000).toFixed(1)} | ${r.cpuS.toFixed(1)} | ${r.rssMb.toFixed(0)} | ${r.fileMb.toFixed(0)} | ${r.settledMb.toFixed(0)} | ${r.load.toFixed(1)} |`,
    )
} finally {
  await rm(home, { recursive: true, force: true })
}
