import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { promisify } from 'node:util'

/**
 * A simulated internet of network namespaces, for the NAT test (test/nat-netns.test.ts):
 *
 *   ns "inet": a bridge, the public segment 7.7.S.0/24 (addresses libp2p calls public)
 *     ├─ ns "relay"  7.7.S.10
 *     ├─ ns "natA"   wan 7.7.S.1, LAN bridge 10.S.1.1/24, masquerade (endpoint-independent)
 *     │    ├─ ns "a1" 10.S.1.2      └─ ns "a2" 10.S.1.3
 *     └─ ns "natB"   wan 7.7.S.2, LAN bridge 10.S.2.1/24, masquerade fully-random
 *          ├─ ns "b1" 10.S.2.2      └─ ns "b2" 10.S.2.3      (address-and-port-dependent)
 *
 * Both routers drop unsolicited inbound traffic, as home routers do. No namespace has a
 * route out of the set, and nothing is added to the root namespace: the bridges and veth
 * ends live inside the namespaces, so deleting the namespaces removes everything.
 * Needs root, iproute2 and nft.
 */

const run = promisify(execFile)
const find = (names: string[]): string | undefined => names.find((p) => existsSync(p))
export const IP = find(['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'])
export const NFT = find(['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'])

/** Why the simulated internet cannot be built here, or undefined when it can. */
export function netnsSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces are Linux only'
  if (IP === undefined) return 'iproute2 (ip) is not installed'
  if (NFT === undefined) return 'nftables (nft) is not installed'
  if (process.getuid?.() !== 0) return 'creating network namespaces and NAT rules needs root'
  return undefined
}

export type NatMapping = 'endpoint-independent' | 'address-and-port-dependent'

export interface Host {
  /** namespace name */
  ns: string
  /** short name used in reports: relay, a1, a2, b1, b2 */
  name: string
  ip: string
  lan?: 'A' | 'B'
}

export interface Internet {
  tag: string
  inet: string
  relay: Host
  routers: Array<{ ns: string; lan: 'A' | 'B'; wanIp: string; mapping: NatMapping }>
  members: Host[]
  /** every namespace, for teardown */
  spaces: string[]
}

async function ip(...args: string[]): Promise<void> {
  await run(IP as string, args, { timeout: 10_000 })
}

async function inNs(ns: string, file: string, args: string[]): Promise<void> {
  await run(IP as string, ['netns', 'exec', ns, file, ...args], { timeout: 10_000 })
}

/** Names unique to this run (process id), so concurrent runs do not collide. */
export function planInternet(): Internet {
  const tag = (process.pid % 10_000).toString(36)
  const s = 10 + (process.pid % 200)
  const ns = (name: string) => `alnat-${tag}-${name}`
  const members: Host[] = [
    { ns: ns('a1'), name: 'a1', ip: `10.${s}.1.2`, lan: 'A' },
    { ns: ns('a2'), name: 'a2', ip: `10.${s}.1.3`, lan: 'A' },
    { ns: ns('b1'), name: 'b1', ip: `10.${s}.2.2`, lan: 'B' },
    { ns: ns('b2'), name: 'b2', ip: `10.${s}.2.3`, lan: 'B' },
  ]
  const routers: Internet['routers'] = [
    { ns: ns('natA'), lan: 'A', wanIp: `7.7.${s}.1`, mapping: 'endpoint-independent' },
    { ns: ns('natB'), lan: 'B', wanIp: `7.7.${s}.2`, mapping: 'address-and-port-dependent' },
  ]
  const relay: Host = { ns: ns('relay'), name: 'relay', ip: `7.7.${s}.10` }
  const inet = ns('inet')
  return {
    tag,
    inet,
    relay,
    routers,
    members,
    spaces: [inet, relay.ns, ...routers.map((r) => r.ns), ...members.map((m) => m.ns)],
  }
}

/** The router's rules: masquerade out of the WAN, nothing in that was not asked for. */
function natRules(mapping: NatMapping): string {
  const masquerade = mapping === 'endpoint-independent' ? 'masquerade' : 'masquerade fully-random'
  return `
table ip alara_nat {
  chain nat_out {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" ${masquerade}
  }
  chain forward_lan {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
    # LAN to LAN, when the host bridges through netfilter (br_netfilter loaded)
    iifname "lan" oifname "lan" accept
  }
  chain input_wan {
    type filter hook input priority filter; policy accept;
    iifname "wan" ct state established,related accept
    iifname "wan" drop
  }
}
`
}

/** A veth pair from `from` (a bridge port there) to `to`, named `eth0` inside `to`. */
async function plug(from: string, port: string, bridge: string, to: string): Promise<void> {
  await ip('-n', from, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', to)
  await ip('-n', from, 'link', 'set', port, 'master', bridge, 'up')
  await ip('-n', to, 'link', 'set', 'eth0', 'up')
  await ip('-n', to, 'link', 'set', 'lo', 'up')
}

export async function buildInternet(net: Internet): Promise<void> {
  const s = net.relay.ip.split('.')[2]
  for (const space of net.spaces) await ip('netns', 'add', space)
  await ip('-n', net.inet, 'link', 'add', 'br0', 'type', 'bridge')
  await ip('-n', net.inet, 'link', 'set', 'br0', 'up')

  await plug(net.inet, 'p-relay', 'br0', net.relay.ns)
  await ip('-n', net.relay.ns, 'addr', 'add', `${net.relay.ip}/24`, 'dev', 'eth0')

  for (const router of net.routers) {
    const lanNet = `10.${s}.${router.lan === 'A' ? 1 : 2}`
    // WAN side: a port on the public bridge, renamed "wan" inside the router
    await ip(
      '-n',
      net.inet,
      'link',
      'add',
      `p-nat${router.lan}`,
      'type',
      'veth',
      'peer',
      'name',
      'wan',
      'netns',
      router.ns,
    )
    await ip('-n', net.inet, 'link', 'set', `p-nat${router.lan}`, 'master', 'br0', 'up')
    await ip('-n', router.ns, 'addr', 'add', `${router.wanIp}/24`, 'dev', 'wan')
    await ip('-n', router.ns, 'link', 'set', 'wan', 'up')
    await ip('-n', router.ns, 'link', 'set', 'lo', 'up')
    // LAN side: a bridge "lan" inside the router, the members plugged into it
    await ip('-n', router.ns, 'link', 'add', 'lan', 'type', 'bridge')
    await ip('-n', router.ns, 'link', 'set', 'lan', 'type', 'bridge', 'mcast_snooping', '0')
    await ip('-n', router.ns, 'addr', 'add', `${lanNet}.1/24`, 'dev', 'lan')
    await ip('-n', router.ns, 'link', 'set', 'lan', 'up')
    for (const member of net.members.filter((m) => m.lan === router.lan)) {
      await plug(router.ns, `p-${member.name}`, 'lan', member.ns)
      await ip('-n', member.ns, 'addr', 'add', `${member.ip}/24`, 'dev', 'eth0')
      await ip('-n', member.ns, 'route', 'add', 'default', 'via', `${lanNet}.1`)
    }
    await inNs(router.ns, '/usr/sbin/sysctl', ['-qw', 'net.ipv4.ip_forward=1']).catch(() =>
      inNs(router.ns, '/sbin/sysctl', ['-qw', 'net.ipv4.ip_forward=1']),
    )
    await nftIn(router.ns, natRules(router.mapping))
  }
}

async function nftIn(ns: string, rules: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile(
      IP as string,
      ['netns', 'exec', ns, NFT as string, '-f', '-'],
      { timeout: 10_000 },
      (err, _stdout, stderr) =>
        err ? reject(new Error(`nft in ${ns}: ${stderr || err.message}`)) : resolve(),
    )
    child.stdin?.end(rules)
  })
}

/** Deletes every namespace of the plan (their links, bridges and rules go with them). */
export async function tearDownInternet(net: Internet): Promise<void> {
  for (const space of [...net.spaces].reverse())
    await ip('netns', 'del', space).catch(() => undefined)
}

/** The namespaces of this plan that still exist (the test checks none is left). */
export async function leftOver(net: Internet): Promise<string[]> {
  const { stdout } = await run(IP as string, ['netns', 'list'], { timeout: 10_000 })
  const names = new Set(stdout.split('\n').map((line) => line.split(' ')[0]))
  return net.spaces.filter((space) => names.has(space))
}
