/**
 * `@alara/protocol/wire`: the pieces that run anywhere (browser included), with no
 * node: import on their path: the byte layouts of DESIGN.md, the wire codec, the errors
 * and the domain types. Hashing and signature checks are left to the caller's crypto
 * (node:crypto in the daemon, WebCrypto in @alara/client).
 */
export * from './errors.js'
export * from './layout.js'
export type * from './types.js'
export * from './wire/codec.js'
export * from './wire/codec-v2.js'
