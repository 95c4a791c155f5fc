import { describe, expect, it } from 'vitest'
import { isNetworkName, resolveHome, splitHostPort } from './shared.js'

describe('splitHostPort', () => {
  it('takes HOST:PORT, names and IPv4', () => {
    expect(splitHostPort('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 })
    expect(splitHostPort('localhost:5890')).toEqual({ host: 'localhost', port: 5890 })
    expect(splitHostPort('0.0.0.0:65535')).toEqual({ host: '0.0.0.0', port: 65535 })
  })

  it('takes a bracketed IPv6 host and returns it without brackets', () => {
    expect(splitHostPort('[::1]:5890')).toEqual({ host: '::1', port: 5890 })
    expect(splitHostPort('[fe80::1:2]:0')).toEqual({ host: 'fe80::1:2', port: 0 })
  })

  it('refuses everything else', () => {
    for (const bad of [
      '5890',
      ':5890',
      '127.0.0.1:',
      '127.0.0.1:70000',
      '127.0.0.1:123456',
      'http://127.0.0.1:1',
      '::1:5',
      '[::1]',
      '[localhost]:1',
      'a b:1',
      'host:-1',
      '',
    ])
      expect(splitHostPort(bad), bad).toBeUndefined()
  })
})

describe('resolveHome and network names', () => {
  it('flag, then ALARA_HOME, then ~/.alara', () => {
    expect(resolveHome('/x/y', { ALARA_HOME: '/z' })).toBe('/x/y')
    expect(resolveHome(undefined, { ALARA_HOME: '/z' })).toBe('/z')
    expect(resolveHome(undefined, {})).toMatch(/\.alara$/)
  })

  it('network names: 1-64 of A-Z a-z 0-9 . _ -', () => {
    expect(isNetworkName('lab-1.test_x')).toBe(true)
    expect(isNetworkName('')).toBe(false)
    expect(isNetworkName('a/b')).toBe(false)
    expect(isNetworkName('x'.repeat(65))).toBe(false)
  })
})
