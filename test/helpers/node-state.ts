import type {
  IdResponse,
  InjectResponse,
  OriginQuality,
  PoolResponse,
  QualityResponse,
  TrustEntry,
} from '@alara/daemon'
import { cliJson } from './cli.js'

/** The --json documents the tests read: the API's own body types (CLI.md fields and more). */

export type PoolJson = PoolResponse

export type OriginJson = OriginQuality

export type QualityJson = QualityResponse

export type InjectJson = InjectResponse

export type TrustJson = TrustEntry

export type IdJson = IdResponse

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
