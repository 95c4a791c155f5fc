/**
 * `@alara/protocol/wire`: the pieces that run anywhere (browser included), with no
 * node: import on their path: the byte layouts of DESIGN.md, the wire codec, the signing
 * bytes and ids, the epoch digest and pool beacon, SHA-256 and hex (platform.ts, mapped
 * to platform-browser.ts in a browser bundle), the errors and the domain types. Signature
 * checks are left to the caller's crypto (node:crypto in the daemon, WebCrypto in
 * @alara/client). Version 2's math is `@alara/protocol/beacon`.
 */
export { epochBeacon, epochDigest } from './epoch.js'
export * from './errors.js'
export * from './layout.js'
export * from './platform.js'
export * from './signing-bytes.js'
export type * from './types.js'
export * from './wire/codec.js'
export * from './wire/codec-v2.js'
