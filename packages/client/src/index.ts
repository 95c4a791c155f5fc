/**
 * @packageDocumentation
 *
 * `@alara/client`: fetch ALARA beacons from one or more nodes' public beacon APIs, with
 * fallback, and verify each one without trusting the server (Node 22+ and browsers).
 *
 * ```ts
 * import { createClient } from '@alara/client'
 * const client = createClient({ urls: ['http://a.example:5891', 'http://b.example:5891'] })
 * const b = await client.latest() // verified, or it throws
 * console.log(b.epoch, b.status, b.beacon) // Ω_r, the shared beacon (b.poolBeacon: version 1's)
 * ```
 */
export {
  type AlaraClient,
  type ClientOptions,
  createClient,
  type NetworkInfo,
  type SourcedBeacon,
} from './client.js'
export {
  AllSourcesFailedError,
  SourceError,
  type SourceFailure,
  VerifyError,
} from './errors.js'
export {
  type BeaconAnswer,
  type Expected,
  type SharedStatus,
  type VerifiedBeacon,
  verifyBeaconAnswer,
  verifyTimelockInfo,
} from './verify.js'
