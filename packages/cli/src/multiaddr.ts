import { isIPv4, isIPv6 } from 'node:net'

/**
 * A syntactic multiaddr check, so that a typo fails as wrong usage before anything starts.
 * The daemon parses for real; this only knows protocol names and the shape of values.
 */

type ValueKind = 'none' | 'ip4' | 'ip6' | 'port' | 'host' | 'peer' | 'path' | 'text' | 'int'

const PROTOCOLS: Record<string, ValueKind> = {
  ip4: 'ip4',
  ip6: 'ip6',
  ip6zone: 'text',
  ipcidr: 'int',
  dns: 'host',
  dns4: 'host',
  dns6: 'host',
  dnsaddr: 'host',
  tcp: 'port',
  udp: 'port',
  dccp: 'port',
  sctp: 'port',
  unix: 'path',
  p2p: 'peer',
  ipfs: 'peer',
  onion: 'text',
  onion3: 'text',
  garlic64: 'text',
  garlic32: 'text',
  sni: 'host',
  certhash: 'text',
  'http-path': 'text',
  memory: 'text',
  utp: 'none',
  udt: 'none',
  quic: 'none',
  'quic-v1': 'none',
  webtransport: 'none',
  tls: 'none',
  noise: 'none',
  http: 'none',
  https: 'none',
  ws: 'none',
  wss: 'none',
  webrtc: 'none',
  'webrtc-direct': 'none',
  'p2p-circuit': 'none',
  'p2p-websocket-star': 'none',
  'p2p-stardust': 'none',
  'p2p-webrtc-star': 'none',
  'p2p-webrtc-direct': 'none',
  plaintextv2: 'none',
}

const BASE58BTC = /^[1-9A-HJ-NP-Za-km-z]+$/
const BASE32_CID = /^b[a-z2-7]+$/
const HOSTNAME =
  /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/

function checkValue(kind: ValueKind, value: string): string | undefined {
  switch (kind) {
    case 'ip4':
      return isIPv4(value) ? undefined : 'is not an IPv4 address'
    case 'ip6':
      return isIPv6(value) ? undefined : 'is not an IPv6 address'
    case 'port': {
      if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) return 'is not a port (0-65535)'
      return undefined
    }
    case 'int':
      return /^[0-9]{1,3}$/.test(value) ? undefined : 'is not a number'
    case 'host':
      return HOSTNAME.test(value) ? undefined : 'is not a host name'
    case 'peer':
      return BASE58BTC.test(value) || BASE32_CID.test(value) ? undefined : 'is not a peer id'
    default:
      return value === '' ? 'is empty' : undefined
  }
}

/** Returns why `addr` is not a multiaddr, or undefined when it looks like one. */
export function multiaddrProblem(addr: string): string | undefined {
  if (!addr.startsWith('/')) return 'a multiaddr starts with /, e.g. /ip4/127.0.0.1/tcp/4590'
  const parts = addr.slice(1).replace(/\/$/, '').split('/')
  if (parts.length === 0 || parts[0] === '') return 'empty multiaddr'
  for (let i = 0; i < parts.length; i++) {
    const name = parts[i] ?? ''
    const kind = PROTOCOLS[name]
    if (kind === undefined) return `unknown protocol '${name}'`
    if (kind === 'none') continue
    if (kind === 'path') {
      // unix takes the rest of the address as its path
      if (i + 1 >= parts.length) return `/${name} needs a path`
      return undefined
    }
    const value = parts[++i]
    if (value === undefined) return `/${name} needs a value`
    const problem = checkValue(kind, value)
    if (problem !== undefined) return `/${name}/${value}: ${value} ${problem}`
  }
  return undefined
}

/** The peer id in a trailing /p2p/<id> component, if any. */
export function multiaddrPeerId(addr: string): string | undefined {
  const match = /\/(?:p2p|ipfs)\/([^/]+)\/?$/.exec(addr)
  return match?.[1]
}
