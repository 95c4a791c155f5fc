import { type AlaraError, defaultGraceMs } from '@alara/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { refusal } from '../test-helpers/refusal.js'
import { checkConfigValues, mergeConfig, parseHostPort, protocolParams } from './config.js'
import { type DaemonConfig, DEFAULT_CONFIG } from './defaults.js'

describe('DEFAULT_CONFIG and mergeConfig', () => {
  it('has the defaults docs/OPERATIONS.md lists', () => {
    expect(mergeConfig()).toEqual({
      network: 'default',
      epochMs: 5000,
      graceMs: 1000,
      poolBits: 10_000,
      retainEpochs: 720,
      storeEpochs: 17_280,
      defaultTrust: 0.8,
      byzantineThreshold: 0.33,
      maxPeers: 1000,
      maxMessageBytes: 8192,
      maxBits: 8192,
      maxPerEpoch: 64,
      timelockSquarings: 16_777_216,
      listen: ['/ip4/0.0.0.0/tcp/4590'],
      bootstrap: [],
      api: '127.0.0.1:5890',
      mdns: true,
      dht: true,
      lanMembers: true,
      maxMembers: 1000,
      relay: false,
      relayMaxReservations: 32,
      relayMaxDurationMs: 600_000,
      relayMaxDataBytes: 16 * 1024 * 1024,
      relayReservations: 2,
      holePunch: true,
      upnp: false,
    })
    expect(Object.isFrozen(DEFAULT_CONFIG)).toBe(true)
  })

  it('finalMs defaults to 3 epochs of whatever epochMs is', () => {
    expect(protocolParams(mergeConfig()).finalMs).toBe(15_000)
    expect(protocolParams(mergeConfig({ epochMs: 1000 })).finalMs).toBe(3000)
    expect(protocolParams(mergeConfig({ epochMs: 1000, finalMs: 7000 })).finalMs).toBe(7000)
  })

  it('later layers win, undefined values are skipped, the defaults are never changed', () => {
    const merged = mergeConfig(
      { network: 'file', epochMs: 2000, mdns: false },
      { network: 'flag', epochMs: undefined, listen: ['/ip4/127.0.0.1/tcp/0'] },
    )
    expect(merged.network).toBe('flag')
    expect(merged.epochMs).toBe(2000)
    expect(merged.mdns).toBe(false)
    expect(merged.listen).toEqual(['/ip4/127.0.0.1/tcp/0'])
    expect(merged.dht).toBe(true)
    expect(DEFAULT_CONFIG.network).toBe('default')
    expect(DEFAULT_CONFIG.epochMs).toBe(5000)
    expect(DEFAULT_CONFIG.listen).toEqual(['/ip4/0.0.0.0/tcp/4590'])
  })

  it('a merged config is not aliased to the defaults', () => {
    const a = mergeConfig()
    a.network = 'changed'
    expect(mergeConfig().network).toBe('default')
  })
})

describe('checkConfigValues', () => {
  it('accepts the defaults, an empty object and the documented bounds', () => {
    expect(checkConfigValues({ ...DEFAULT_CONFIG }, 'x')).toEqual(DEFAULT_CONFIG)
    expect(checkConfigValues({}, 'x')).toEqual({})
    const edges: Array<Partial<DaemonConfig>> = [
      { network: 'a' },
      { network: 'A-z_0.9' },
      { network: 'n'.repeat(64) },
      { epochMs: 100 },
      { epochMs: 3_600_000 },
      { graceMs: 0 },
      { finalMs: 1 },
      { defaultTrust: 0 },
      { defaultTrust: 1 },
      { byzantineThreshold: 0 },
      { byzantineThreshold: 0.99 },
      { retainEpochs: 4 },
      { maxMessageBytes: 256 },
      { maxBits: 1 },
      { api: 'localhost:0' },
      { api: '0.0.0.0:65535' },
      { listen: [] },
      { bootstrap: ['/ip4/1.2.3.4/tcp/4590/p2p/12D3KooWabc'] },
      { mdns: false, dht: false },
    ]
    for (const values of edges)
      expect(checkConfigValues(values, 'x'), JSON.stringify(values)).toEqual(values)
  })

  it('accepts any mix of valid values and mergeConfig applies them over the defaults', () => {
    const valid = fc
      .record(
        {
          network: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
          epochMs: fc.integer({ min: 100, max: 3_600_000 }),
          graceMs: fc.integer({ min: 0, max: 3_600_000 }),
          finalMs: fc.integer({ min: 1, max: 86_400_000 }),
          poolBits: fc.integer({ min: 1, max: 100_000_000 }),
          retainEpochs: fc.integer({ min: 4, max: 1_000_000 }),
          storeEpochs: fc.integer({ min: 4, max: 100_000_000 }),
          defaultTrust: fc.double({ min: 0, max: 1, noNaN: true }),
          byzantineThreshold: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          maxPeers: fc.integer({ min: 1, max: 100_000 }),
          maxMessageBytes: fc.integer({ min: 256, max: 4 * 1024 * 1024 }),
          maxBits: fc.integer({ min: 1, max: 8 * 1024 * 1024 }),
          maxPerEpoch: fc.integer({ min: 1, max: 1_000_000 }),
          listen: fc.array(fc.string({ minLength: 1 })),
          bootstrap: fc.array(
            fc
              .tuple(fc.string(), fc.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{1,60}$/))
              .map(([prefix, id]) => `${prefix}/p2p/${id}`),
          ),
          api: fc
            .tuple(fc.stringMatching(/^[^\s:[\]]+$/), fc.integer({ min: 0, max: 65535 }))
            .map(([h, p]) => `${h}:${p}`),
          mdns: fc.boolean(),
          dht: fc.boolean(),
        },
        { requiredKeys: [] },
      )
      // an epoch closes before it is final (see the finalMs/graceMs test below); finalMs
      // defaults to 3 epochs, graceMs to half an epoch (at most 1000)
      .filter((v) => {
        const graceMs = v.graceMs ?? defaultGraceMs(v.epochMs ?? 5000)
        const finalMs = v.finalMs ?? 3 * (v.epochMs ?? 5000)
        // and admission after close ends by then (roundMs: graceMs / 2, 4 rounds)
        return finalMs > graceMs && graceMs >= 2 && graceMs + 4 * Math.floor(graceMs / 2) <= finalMs
      })
    fc.assert(
      fc.property(valid, (values) => {
        expect(checkConfigValues(values, 'config.json')).toEqual(values)
        const merged = mergeConfig(values)
        for (const [k, v] of Object.entries(DEFAULT_CONFIG))
          expect(merged[k as keyof DaemonConfig]).toEqual(
            k in values
              ? values[k as keyof typeof values]
              : k === 'graceMs'
                ? defaultGraceMs(merged.epochMs)
                : v,
          )
      }),
      { numRuns: 300 },
    )
  })

  it('refuses an unknown key with ERR_BAD_CONFIG naming the key and the source', () => {
    for (const key of ['epochms', 'poolSize', 'apiPort', '__proto__x']) {
      const err = refusal(() => checkConfigValues({ network: 'ok', [key]: 1 }, '/repo/config.json'))
      expect(err.code).toBe('ERR_BAD_CONFIG')
      expect(err.message).toContain('/repo/config.json')
      expect(err.message, 'the message must name the unknown key').toContain(key)
    }
  })

  const badValues: Array<[keyof DaemonConfig, unknown]> = [
    ['network', ''],
    ['network', 'has space'],
    ['network', 'slash/inside'],
    ['network', 'n'.repeat(65)],
    ['network', 7],
    ['epochMs', 99],
    ['epochMs', 3_600_001],
    ['epochMs', 1000.5],
    ['epochMs', '5000'],
    ['epochMs', null],
    ['graceMs', -1],
    ['finalMs', 0],
    ['poolBits', 0],
    ['retainEpochs', 3],
    ['defaultTrust', 1.01],
    ['defaultTrust', -0.1],
    ['defaultTrust', '0.8'],
    ['byzantineThreshold', 1],
    ['byzantineThreshold', -0.01],
    ['maxPeers', 0],
    ['maxMessageBytes', 255],
    ['maxBits', 0],
    ['maxPerEpoch', 0],
    ['listen', '/ip4/0.0.0.0/tcp/4590'],
    ['listen', ['']],
    ['listen', [4590]],
    ['bootstrap', 'x'],
    ['bootstrap', ['']],
    ['bootstrap', ['/ip4/1.2.3.4/tcp/4590']],
    ['bootstrap', ['/ip4/1.2.3.4/tcp/4590/p2p/0OIl']],
    ['api', '5890'],
    ['api', ':5890'],
    ['api', 'localhost:'],
    ['api', 'localhost:99999'],
    ['api', 'localhost:65536'],
    ['api', 'local host:1'],
    ['api', 'localhost:-1'],
    ['publicApi', '5891'],
    ['publicApi', 'localhost:65536'],
    ['publicApi', 'local host:1'],
    ['publicApi', 5891],
    ['metrics', '9464'],
    ['metrics', 'localhost:65536'],
    ['mdns', 'yes'],
    ['mdns', 1],
    ['dht', null],
    ['lanMembers', 'no'],
    ['lanMembers', 0],
    ['maxMembers', -1],
    ['maxMembers', 1.5],
    ['maxMembers', '1000'],
    ['relay', 'yes'],
    ['relayMaxReservations', 0],
    ['relayMaxDurationMs', 10],
    ['relayMaxDataBytes', 1.5],
    ['relayReservations', 9],
    ['relayReservations', -1],
    ['holePunch', 1],
    ['upnp', 'on'],
  ]
  for (const [key, value] of badValues) {
    it(`refuses ${key} = ${JSON.stringify(value)} with ERR_BAD_CONFIG naming ${key}`, () => {
      const err = refusal(() => checkConfigValues({ [key]: value }, 'config.json'))
      expect(err.code).toBe('ERR_BAD_CONFIG')
      expect(err.message).toContain('config.json')
      expect(err.message).toContain(key)
    })
  }

  it('publicApi is off by default and takes HOST:PORT like api', () => {
    expect(DEFAULT_CONFIG.publicApi).toBeUndefined()
    for (const good of ['0.0.0.0:5891', '127.0.0.1:0', '[::1]:5891'])
      expect(checkConfigValues({ publicApi: good }, 'flags')).toEqual({ publicApi: good })
  })

  it('metrics is off by default and takes HOST:PORT like api', () => {
    expect(DEFAULT_CONFIG.metrics).toBeUndefined()
    for (const good of ['0.0.0.0:9464', '127.0.0.1:0', '[::1]:9464'])
      expect(checkConfigValues({ metrics: good }, 'flags')).toEqual({ metrics: good })
  })

  it('graceMs and finalMs follow epochMs unless set: --epoch-ms 250 alone is valid', () => {
    // half an epoch, at most 1000 ms; final 3 epochs
    for (const [epochMs, graceMs] of [
      [100, 50],
      [250, 125],
      [1000, 500],
      [2000, 1000],
      [5000, 1000],
      [60_000, 1000],
    ] as const) {
      const merged = mergeConfig({}, { epochMs })
      expect(merged.graceMs, `epochMs ${epochMs}`).toBe(graceMs)
      const params = protocolParams(merged)
      expect(params).toMatchObject({ epochMs, graceMs, finalMs: 3 * epochMs })
      // the vote comes after the epoch ends and well before it is final
      expect(params.graceMs).toBeGreaterThan(0)
      expect(params.finalMs - params.graceMs).toBeGreaterThanOrEqual(2 * epochMs)
    }
    // set in any layer (config.json, flags), graceMs is kept as given
    expect(mergeConfig({ graceMs: 150 }, { epochMs: 250 }).graceMs).toBe(150)
    expect(mergeConfig({ epochMs: 250 }, { graceMs: 0, roundMs: 1 }).graceMs).toBe(0)
    // given and inconsistent, it is still refused
    expect(refusal(() => mergeConfig({ graceMs: 1000 }, { epochMs: 250 })).code).toBe(
      'ERR_BAD_CONFIG',
    )
  })

  it('refuses finalMs at or before graceMs (an epoch would be final before it closes)', () => {
    // DESIGN.md: epoch r closes at end(r) + graceMs, is repaired while closed, and freezes
    // at end(r) + finalMs; a final that comes first freezes an epoch nobody has voted on.
    for (const values of [
      { graceMs: 1000, finalMs: 1000 },
      { graceMs: 1000, finalMs: 500 },
      { graceMs: 3_600_000, finalMs: 1 },
    ]) {
      const err = refusal(() => checkConfigValues(values, 'config.json'))
      expect(err.code, JSON.stringify(values)).toBe('ERR_BAD_CONFIG')
      expect(err.message).toContain('finalMs')
    }
    const tight = { graceMs: 1000, finalMs: 1001, roundMs: 1, byzantineRounds: 0 }
    expect(checkConfigValues(tight, 'x')).toEqual(tight)
  })

  it('refuses admission rounds whose deadline passes finalMs, naming the keys', () => {
    // DESIGN.md "Admission after close": nothing enters after close + (K + 1) × roundMs,
    // which must come before the epoch freezes (graceMs 500: roundMs 250 by default)
    for (const values of [
      { epochMs: 1000, graceMs: 500, roundMs: 700 },
      { epochMs: 1000, graceMs: 500, byzantineRounds: 10 },
      { graceMs: 1000, finalMs: 2000 },
      { epochMs: 1000, graceMs: 1, roundMs: 1, byzantineRounds: 64, finalMs: 60 },
    ]) {
      const err = refusal(() => mergeConfig(values))
      expect(err.code, JSON.stringify(values)).toBe('ERR_BAD_CONFIG')
      expect(err.message).toMatch(/roundMs/)
      expect(err.message).toMatch(/byzantineRounds/)
    }
    // graceMs 0 leaves no default round: it says to set roundMs
    expect(refusal(() => mergeConfig({ epochMs: 250, graceMs: 0 })).message).toMatch(/set roundMs/)
    expect(protocolParams(mergeConfig({ epochMs: 250, graceMs: 0, roundMs: 10 }))).toMatchObject({
      roundMs: 10,
      byzantineRounds: 3,
    })
    // the defaults at every epoch length fit: deadline end + 3 × graceMs
    for (const epochMs of [100, 250, 1000, 5000, 60_000]) {
      const p = protocolParams(mergeConfig({ epochMs }))
      expect(p.graceMs + (p.byzantineRounds + 1) * p.roundMs).toBeLessThanOrEqual(p.finalMs)
    }
    expect(refusal(() => checkConfigValues({ roundMs: 0 }, 'flags')).message).toContain('roundMs')
    expect(refusal(() => checkConfigValues({ byzantineRounds: -1 }, 'flags')).code).toBe(
      'ERR_BAD_CONFIG',
    )
  })

  it('names every bad key at once', () => {
    const err = refusal(() => checkConfigValues({ epochMs: 1, defaultTrust: 2 }, 'flags'))
    expect(err.message).toContain('epochMs')
    expect(err.message).toContain('defaultTrust')
  })

  it('refuses a config that is not a JSON object', () => {
    for (const value of [null, [], ['network'], 'default', 5, true]) {
      const err = refusal(() => checkConfigValues(value, 'config.json'))
      expect(err.code, JSON.stringify(value)).toBe('ERR_BAD_CONFIG')
    }
  })
})

describe('parseHostPort', () => {
  it('splits HOST:PORT at the last colon', () => {
    expect(parseHostPort('127.0.0.1:5890')).toEqual({ host: '127.0.0.1', port: 5890 })
    expect(parseHostPort('localhost:0')).toEqual({ host: 'localhost', port: 0 })
    expect(parseHostPort('0.0.0.0:65535')).toEqual({ host: '0.0.0.0', port: 65535 })
  })

  it('refuses a missing host or a port outside 0..65535 with ERR_BAD_CONFIG', () => {
    for (const bad of ['5890', ':5890', 'host:65536', 'host:-1', 'host:1.5', 'host:abc', '']) {
      const err = refusal(() => parseHostPort(bad, '--api'))
      expect(err.code, bad).toBe('ERR_BAD_CONFIG')
      expect(err.message).toContain('--api')
      expect(err.message).toContain(`'${bad}'`)
    }
  })

  it('refuses ports that are not plain decimal digits', () => {
    // Number() reads '' as 0, ' 80' as 80 and '0x10' as 16: none of them is HOST:PORT
    const bad = ['localhost:', 'localhost: 80', 'localhost:0x10', 'localhost:1e3', 'localhost:+80']
    const accepted = bad.filter((value) => {
      try {
        parseHostPort(value)
        return true
      } catch (err) {
        expect((err as AlaraError).code).toBe('ERR_BAD_CONFIG')
        return false
      }
    })
    expect(accepted, 'parseHostPort accepted these').toEqual([])
  })
})
