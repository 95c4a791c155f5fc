import { randomBytes } from 'node:crypto'
import { mkdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { checkConfigValues, readConfigFile } from '../config/config.js'
import { type DaemonConfig, DEFAULT_CONFIG } from '../config/defaults.js'
import { BadIdentityError, BadTokenError, repoLocked, repoMissing } from '../errors.js'
import { STORE_KEY_FILE, writeNewStoreKey } from '../store/store-key.js'
import { writeFileAtomic } from '../util/atomic-file.js'
import { initNetworkKey, loadRepoNetworkKey, NETWORK_KEY_FILE } from './network-key.js'
import { lockHolder } from './repo-lock.js'

/**
 * The repo directory: identity.key, api.token and store.key (mode 0600), config.json, the
 * datastore, network.key on a closed network (0600, network-key.ts), and while a daemon
 * runs, repo.lock (its pid) and api (its API URL).
 */
export const REPO_FILES = Object.freeze({
  identity: 'identity.key',
  token: 'api.token',
  config: 'config.json',
  datastore: 'datastore',
  lock: 'repo.lock',
  api: 'api',
  networkKey: NETWORK_KEY_FILE,
  storeKey: STORE_KEY_FILE,
  /** version 2: each epoch's α from commit to reveal (0700 directory, 0600 files) */
  beaconSecrets: 'beacon-secrets',
  /** version 2: h = g^(2^T) and its proof for a T other than the default */
  timelock: 'timelock.json',
})

export interface InitOptions {
  network?: string
  force?: boolean
  /** make a new network key (a closed network); its file is then copied to each member */
  newNetworkKey?: boolean
  /** import a network key file (validated before anything is written) */
  networkKeyFile?: string
  /** T of the shared beacon's time-lock, written to config.json (a new repo only) */
  timelockSquarings?: number
}

export interface InitResult {
  home: string
  peerId: string
  network: string
  /** T of the shared beacon's time-lock in config.json (or the default) */
  timelockSquarings: number
  created: boolean
  /** the repo holds a network key (network.key): a closed network */
  closed: boolean
  /** the key file's path, when one was written by this init */
  networkKeyFile?: string
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

/**
 * Creates the repo (identity, token, config). An existing repo is kept unless `force`,
 * which makes a new identity and token; `force` never touches a repo a daemon holds.
 */
export async function initRepo(home: string, opts: InitOptions = {}): Promise<InitResult> {
  home = resolve(home)
  if (opts.network !== undefined) checkConfigValues({ network: opts.network }, '--network')
  if (opts.timelockSquarings !== undefined)
    checkConfigValues({ timelockSquarings: opts.timelockSquarings }, '--timelock-squarings')
  // the key is checked (and an imported file read) before anything is written
  const networkKey = await initNetworkKey(home, opts)
  const identityFile = join(home, REPO_FILES.identity)
  if ((await exists(identityFile)) && opts.force !== true) {
    const repo = await openRepo(home)
    const keyFile = await networkKey.write()
    return {
      home,
      peerId: repo.peerId,
      network: repo.config.network ?? 'default',
      timelockSquarings: repo.config.timelockSquarings ?? DEFAULT_CONFIG.timelockSquarings,
      created: false,
      closed: keyFile !== undefined || repo.networkKey !== undefined,
      ...(keyFile === undefined ? {} : { networkKeyFile: keyFile }),
    }
  }
  await mkdir(home, { recursive: true, mode: 0o700 })
  if (opts.force === true) {
    const holder = await lockHolder(home)
    if (holder !== undefined) throw repoLocked(home, holder)
  }
  const key = await generateKeyPair('Ed25519')
  await writeFileAtomic(identityFile, privateKeyToProtobuf(key))
  await writeFileAtomic(join(home, REPO_FILES.token), `${randomBytes(32).toString('hex')}\n`)
  await writeNewStoreKey(home)
  const configFile = join(home, REPO_FILES.config)
  const config = await readConfigFile(configFile)
  if (opts.network !== undefined) config.network = opts.network
  if (opts.timelockSquarings !== undefined) config.timelockSquarings = opts.timelockSquarings
  await writeFileAtomic(configFile, `${JSON.stringify(config, null, 2)}\n`)
  const keyFile = await networkKey.write()
  return {
    home,
    peerId: peerIdFromPrivateKey(key).toString(),
    network: config.network ?? 'default',
    timelockSquarings: config.timelockSquarings ?? DEFAULT_CONFIG.timelockSquarings,
    created: true,
    closed: keyFile !== undefined || (await loadRepoNetworkKey(home)) !== undefined,
    ...(keyFile === undefined ? {} : { networkKeyFile: keyFile }),
  }
}

export interface Repo {
  home: string
  privateKey: PrivateKey
  peerId: string
  token: string
  /** what config.json sets (validated); defaults are applied by the daemon */
  config: Partial<DaemonConfig>
  /** a closed network's key (network.key), undefined on an open network */
  networkKey: Uint8Array | undefined
}

export async function openRepo(home: string): Promise<Repo> {
  home = resolve(home)
  let keyBytes: Uint8Array
  try {
    keyBytes = await readFile(join(home, REPO_FILES.identity))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw repoMissing(home)
    throw err
  }
  let privateKey: PrivateKey
  try {
    privateKey = privateKeyFromProtobuf(keyBytes)
  } catch (err) {
    throw new BadIdentityError(`${join(home, REPO_FILES.identity)} is not a libp2p private key`, {
      cause: err,
    })
  }
  if (privateKey.type !== 'Ed25519')
    throw new BadIdentityError(`identity key must be Ed25519, found ${privateKey.type}`)
  const token = (await readFile(join(home, REPO_FILES.token), 'utf8').catch(() => '')).trim()
  if (token.length < 32)
    throw new BadTokenError(
      `${join(home, REPO_FILES.token)} is missing or too short; run alara init --force`,
    )
  const config = await readConfigFile(join(home, REPO_FILES.config))
  const networkKey = await loadRepoNetworkKey(home)
  return {
    home,
    privateKey,
    peerId: peerIdFromPrivateKey(privateKey).toString(),
    token,
    config,
    networkKey,
  }
}
