import { describe, expect, it } from 'vitest'
import { multiaddrPeerId, multiaddrProblem } from './multiaddr.js'
import {
  intInRange,
  parseBitString,
  parseBootstrapAddr,
  parseEpochRef,
  parseHexString,
  parseHostPort,
  parseNetwork,
  parsePositiveInt,
  parseTrustLevel,
} from './validate.js'

const PEER = '12D3KooWGzBnHAHh2MDFZ9qS7fBEQxQmhVaWPA8VD7qtdVbUXVx5'

describe('flag parsers', () => {
  it('accepts positive whole numbers only', () => {
    expect(parsePositiveInt('12')).toBe(12)
    for (const bad of ['0', '-1', '1.5', 'x', '', '1e3', ' 3', '99999999999999999999']) {
      expect(() => parsePositiveInt(bad), bad).toThrow()
    }
  })

  it('checks ranges', () => {
    expect(intInRange(1, 65536)('65536')).toBe(65536)
    expect(() => intInRange(1, 65536)('65537')).toThrow(/\[1, 65536\]/)
  })

  it('takes trust levels in [0, 1]', () => {
    expect(parseTrustLevel('0')).toBe(0)
    expect(parseTrustLevel('1')).toBe(1)
    expect(parseTrustLevel('0.25')).toBe(0.25)
    expect(parseTrustLevel('.5')).toBe(0.5)
    for (const bad of ['1.01', '-0.1', 'high', '', '0x1', 'NaN', 'Infinity']) {
      expect(() => parseTrustLevel(bad), bad).toThrow()
    }
  })

  it('takes epochs or latest', () => {
    expect(parseEpochRef('latest')).toBe('latest')
    expect(parseEpochRef('0')).toBe(0)
    expect(() => parseEpochRef('-3')).toThrow(/latest/)
  })

  it('takes bits and hex', () => {
    expect(parseBitString('0101')).toBe('0101')
    expect(() => parseBitString('')).toThrow()
    expect(() => parseBitString('0121')).toThrow(/0 and 1/)
    expect(parseHexString('0xDEADbeef')).toBe('deadbeef')
    expect(() => parseHexString('abc')).toThrow(/even/)
    expect(() => parseHexString('zz')).toThrow(/hex digits/)
    expect(() => parseHexString('')).toThrow()
  })

  it('takes HOST:PORT for the API', () => {
    expect(parseHostPort('127.0.0.1:0')).toBe('127.0.0.1:0')
    expect(parseHostPort('localhost:5890')).toBe('localhost:5890')
    expect(parseHostPort('[::1]:5890')).toBe('[::1]:5890')
    for (const bad of [
      '5890',
      ':5890',
      '127.0.0.1:',
      '127.0.0.1:70000',
      'http://127.0.0.1:1',
      '::1:5',
    ]) {
      expect(() => parseHostPort(bad), bad).toThrow()
    }
  })

  it('takes network names the daemon accepts', () => {
    expect(parseNetwork('lab-1.test_x')).toBe('lab-1.test_x')
    expect(() => parseNetwork('a/b')).toThrow()
    expect(() => parseNetwork('')).toThrow()
  })
})

describe('multiaddr syntax', () => {
  it('accepts common addresses', () => {
    for (const ok of [
      '/ip4/127.0.0.1/tcp/0',
      '/ip4/0.0.0.0/tcp/4590/',
      '/ip6/::1/tcp/4590',
      `/dns4/node.example.org/tcp/4590/p2p/${PEER}`,
      '/ip4/192.0.2.7/udp/4590/quic-v1',
      '/ip4/192.0.2.7/tcp/443/wss',
      `/ip4/192.0.2.7/tcp/1/p2p/${PEER}/p2p-circuit/p2p/${PEER}`,
      '/unix/tmp%2Falara.sock',
    ]) {
      expect(multiaddrProblem(ok), ok).toBeUndefined()
    }
  })

  it('explains what is wrong', () => {
    expect(multiaddrProblem('127.0.0.1:4590')).toMatch(/starts with \//)
    expect(multiaddrProblem('/ip4/300.1.1.1/tcp/1')).toMatch(/IPv4/)
    expect(multiaddrProblem('/ip4/127.0.0.1/tcp/99999')).toMatch(/65535/)
    expect(multiaddrProblem('/ip4/127.0.0.1/tcp')).toMatch(/missing value/)
    expect(multiaddrProblem('/ipv4/127.0.0.1')).toMatch(/ipv4 was unknown/)
    expect(multiaddrProblem('/ip4/127.0.0.1/tcp/1/p2p/0OIl')).toMatch(/not a peer id/)
    expect(multiaddrProblem('/')).toMatch(/empty/)
  })

  it('finds the peer id of bootstrap addresses', () => {
    expect(multiaddrPeerId(`/ip4/127.0.0.1/tcp/1/p2p/${PEER}`)).toBe(PEER)
    expect(multiaddrPeerId('/ip4/127.0.0.1/tcp/1')).toBeUndefined()
    expect(parseBootstrapAddr(`/ip4/127.0.0.1/tcp/1/p2p/${PEER}`)).toContain(PEER)
    expect(() => parseBootstrapAddr('/ip4/127.0.0.1/tcp/1')).toThrow(/\/p2p\//)
  })
})
