import { createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { SEAL_HEADER_BYTES, StoreSealer, storedContribution, storedRecord } from './store-seal.js'

const key = new Uint8Array(randomBytes(32))
const id = new Uint8Array(randomBytes(32))
const idHex = Buffer.from(id).toString('hex')
// a protobuf contribution starts with field 1's tag (0x0A): what an unsealed value looks like
const encoded = new Uint8Array([0x0a, 0x03, 0x61, 0x62, 0x63, ...randomBytes(150)])

describe('StoreSealer', () => {
  it('seals as 0x00 0x01 ‖ HMAC-SHA-256(key, domain ‖ id ‖ encoded) ‖ encoded', () => {
    const sealed = new StoreSealer(key).seal(idHex, encoded)
    expect([...sealed.subarray(0, 2)]).toEqual([0x00, 0x01])
    const mac = createHmac('sha256', key)
      .update('alara/v1/store-seal')
      .update(id)
      .update(encoded)
      .digest()
    expect(Buffer.from(sealed.subarray(2, SEAL_HEADER_BYTES)).equals(mac)).toBe(true)
    expect(sealed.subarray(SEAL_HEADER_BYTES)).toEqual(encoded)
  })

  it('opens its own seal for the same id', () => {
    const sealer = new StoreSealer(key)
    expect(sealer.open(idHex, sealer.seal(idHex, encoded))).toEqual({ encoded, sealed: true })
  })

  it('a seal of another key, another id or with any byte changed does not check', () => {
    const sealed = new StoreSealer(key).seal(idHex, encoded)
    const other = new StoreSealer(new Uint8Array(randomBytes(32)))
    expect(other.open(idHex, sealed)).toEqual({ encoded, sealed: false })
    expect(new StoreSealer(key).open(randomBytes(32).toString('hex'), sealed).sealed).toBe(false)
    for (let i = 2; i < sealed.length; i += 7) {
      const changed = sealed.slice()
      changed[i] = (changed[i] as number) ^ 0x01
      expect(new StoreSealer(key).open(idHex, changed).sealed, `byte ${i}`).toBe(false)
    }
  })

  it('an unsealed value (a store older than seals) is the contribution itself, unsealed', () => {
    expect(new StoreSealer(key).open(idHex, encoded)).toEqual({ encoded, sealed: false })
    expect(storedContribution(encoded)).toBe(encoded)
    expect(storedContribution(new StoreSealer(key).seal(idHex, encoded))).toEqual(encoded)
  })

  it('is HMAC-SHA-256 for any contribution length (the buffer grows), and after it', () => {
    const sealer = new StoreSealer(key)
    for (const n of [0, 1, 900, 5000, 10]) {
      const bytes = new Uint8Array(randomBytes(n))
      const mac = createHmac('sha256', key).update('alara/v1/store-seal').update(id).update(bytes)
      expect(Buffer.from(sealer.seal(idHex, bytes).subarray(2, SEAL_HEADER_BYTES))).toEqual(
        mac.digest(),
      )
    }
  })

  it('refuses a key shorter than 32 bytes and an id that is not 64 hex digits', () => {
    expect(() => new StoreSealer(new Uint8Array(16))).toThrow(RangeError)
    expect(() => new StoreSealer(key).seal('zz'.repeat(32), encoded)).toThrow(RangeError)
    const sealed = new StoreSealer(key).seal(idHex, encoded)
    expect(new StoreSealer(key).open(idHex.slice(2), sealed).sealed).toBe(false)
  })
})

describe('StoreSealer: frozen epoch records', () => {
  const record = new Uint8Array([0x01, ...randomBytes(300)])
  const epochBytes = (epoch: number) => {
    const b = Buffer.alloc(8)
    b.writeBigUInt64BE(BigInt(epoch))
    return b
  }

  it('seals as 0x00 0x02 ‖ HMAC-SHA-256(key, domain ‖ u64 epoch ‖ record) ‖ record', () => {
    const sealed = new StoreSealer(key).sealRecord(77, record)
    expect([...sealed.subarray(0, 2)]).toEqual([0x00, 0x02])
    const mac = createHmac('sha256', key)
      .update('alara/v1/store-epoch')
      .update(epochBytes(77))
      .update(record)
      .digest()
    expect(Buffer.from(sealed.subarray(2, SEAL_HEADER_BYTES)).equals(mac)).toBe(true)
    expect(new StoreSealer(key).openRecord(77, sealed)).toEqual({ record, sealed: true })
    expect(storedRecord(sealed)).toEqual(record)
  })

  it('another key, another epoch or any changed byte does not check', () => {
    const sealed = new StoreSealer(key).sealRecord(5, record)
    expect(new StoreSealer(new Uint8Array(randomBytes(32))).openRecord(5, sealed).sealed).toBe(
      false,
    )
    expect(new StoreSealer(key).openRecord(6, sealed).sealed).toBe(false)
    for (let i = 2; i < sealed.length; i += 11) {
      const changed = sealed.slice()
      changed[i] = (changed[i] as number) ^ 0x01
      expect(new StoreSealer(key).openRecord(5, changed).sealed, `byte ${i}`).toBe(false)
    }
  })

  it('a contribution value is no record, and a record is no contribution seal', () => {
    const sealer = new StoreSealer(key)
    const contribution = sealer.seal(idHex, encoded)
    expect(sealer.openRecord(5, contribution)).toEqual({ record: new Uint8Array(0), sealed: false })
    expect(storedRecord(contribution)).toBeUndefined()
    expect(sealer.open(idHex, sealer.sealRecord(5, record)).sealed).toBe(false)
  })
})
