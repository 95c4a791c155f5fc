import { cliJson } from './cli.js'

/** The --json documents the tests read (CLI.md minimum fields, plus what the API adds). */

export interface PoolJson {
  network: string
  bits: string
  bitLength: number
  folded: number
  stored: number
  digest: string
  creditBits: number
  ready: boolean
}

export interface OriginJson {
  peerId: string
  trust: number
  contributions: number
  bits: number
  healthFailures: number
  lastSeenMs: number | null
  /** per-origin credit; the API returns it though CLI.md does not require it */
  creditBits?: number
  active?: boolean
}

export interface QualityJson {
  shannonPerBit: number
  minEntropyPerBit: number
  poolBits: number
  creditBits: number
  origins: OriginJson[]
}

export interface InjectJson {
  ids: string[]
  epoch: number
  bitLength: number
  publishedTo: number
}

export interface TrustJson {
  peerId: string
  trust: number
  active: boolean
}

export interface IdJson {
  peerId: string
  addresses: string[]
  network: string
  version: string
}

export const pool = (home: string): Promise<PoolJson> => cliJson<PoolJson>(home, ['pool'])
export const quality = (home: string): Promise<QualityJson> =>
  cliJson<QualityJson>(home, ['quality'])
export const trustList = (home: string): Promise<TrustJson[]> =>
  cliJson<TrustJson[]>(home, ['trust', 'ls'])
export const idOf = (home: string): Promise<IdJson> => cliJson<IdJson>(home, ['id'])

export const injectBits = (home: string, bits: string): Promise<InjectJson> =>
  cliJson<InjectJson>(home, ['inject', '--bits', bits])

export const setTrust = (home: string, peerId: string, level: number): Promise<TrustJson> =>
  cliJson<TrustJson>(home, ['trust', 'set', peerId, String(level)])
