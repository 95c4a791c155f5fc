/**
 * @packageDocumentation
 *
 * The ALARA protocol, pure: wire format and codecs, signing bytes, ids and Ed25519
 * signatures, network-level validation, the replica and its fold, epoch digests and
 * beacons, the unbiasable shared beacon of version 2 (commit, reveal, recover), consensus
 * math, private and shared draws, and the statistics (SP 800-90B health tests and
 * min-entropy, SP 800-22 subset, Shannon). No file, network, clock or logger inside: time
 * and randomness are always handed in.
 */
export * from './admission/index.js'
export * from './beacon/index.js'
export * from './bits.js'
export * from './compact.js'
export * from './config.js'
export * from './consensus.js'
export * from './draws.js'
export * from './epoch.js'
export * from './errors.js'
export * from './health.js'
export * from './inspect/index.js'
export * from './replica/index.js'
export * from './signing.js'
export * from './signing-v2.js'
export * from './stats/index.js'
export * from './sync/codec.js'
export * from './types.js'
export * from './validate.js'
export * from './validate-evidence.js'
export * from './validate-v2.js'
export * from './wire/codec.js'
export * from './wire/codec-v2.js'
export * from './wire/trusted.js'
