import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { AlaraEventBus } from '../events.js'
import { AlaraMetrics } from './metrics.js'

function setup(peers: string[] = [], isMember?: (p: string) => boolean) {
  const events = new AlaraEventBus()
  const registry = new Registry()
  const metrics = new AlaraMetrics(registry, {
    events,
    creditBits: () => 123.5,
    currentEpoch: () => 42,
    connectedPeers: () => peers,
    isMember,
  })
  metrics.start()
  return { events, registry, metrics }
}

const folded = (via: 'gossip' | 'inject', lagMs: number) => ({
  idHex: '01',
  originHex: '02',
  epoch: 40,
  bitLength: 256,
  timestampMs: 1000,
  receivedMs: 1000 + lagMs,
  via,
})

describe('metrics from the event bus', () => {
  it('counts contributions and votes by verdict and reason, folded bits and latencies', async () => {
    const { events, registry } = setup()
    events.emit('contribution:folded', folded('gossip', 40))
    events.emit('contribution:folded', folded('inject', 0))
    events.emit('contribution:stored', folded('gossip', 10))
    events.emit('contribution:refused', {
      verdict: 'reject',
      reason: 'bad-signature',
      via: 'gossip',
    })
    events.emit('vote:received', {
      originHex: '02',
      epoch: 40,
      digestHex: 'aa',
      count: 1,
      via: 'gossip',
    })
    events.emit('vote:refused', { verdict: 'ignore', reason: 'stale', via: 'gossip' })
    events.emit('inject:done', { ids: ['01'], epoch: 40, ms: 12 })
    events.emit('sync:served', { peerId: 'p', kind: 'ids', status: 'answered' })
    events.emit('repair:needed', { epoch: 39, peerId: 'p' })
    events.emit('repair:done', { epoch: 39, peerId: 'p', fetched: 2, outcome: 'ok' })
    const text = await registry.metrics()
    expect(text).toContain('alara_contributions_total{verdict="accept",reason="folded"} 2')
    expect(text).toContain('alara_contributions_total{verdict="accept",reason="stored"} 1')
    expect(text).toContain('alara_contributions_total{verdict="reject",reason="bad-signature"} 1')
    expect(text).toContain('alara_votes_total{verdict="accept",reason="recorded"} 1')
    expect(text).toContain('alara_votes_total{verdict="ignore",reason="stale"} 1')
    expect(text).toContain('alara_folded_contributions_total 2')
    expect(text).toContain('alara_folded_bits_total 512')
    expect(text).toContain('alara_credited_entropy_bits 123.5')
    expect(text).toContain('alara_current_epoch 42')
    // only gossip counts for propagation: 40 ms lands in the 0.05 s bucket
    expect(text).toContain('alara_propagation_seconds_count 1')
    expect(text).toContain('alara_propagation_seconds_bucket{le="0.025"} 0')
    expect(text).toContain('alara_propagation_seconds_bucket{le="0.05"} 1')
    expect(text).toContain('alara_inject_duration_seconds_count 1')
    expect(text).toContain('alara_inject_duration_seconds_sum 0.012')
    expect(text).toContain('alara_sync_requests_served_total{kind="ids",status="answered"} 1')
    expect(text).toContain('alara_repairs_needed_total 1')
    expect(text).toContain('alara_repair_jobs_total{outcome="ok"} 1')
  })

  it('follows consensus: last agreed epoch, latest agreement, epochs by status at finality', async () => {
    const { events, registry } = setup()
    expect(await registry.metrics()).toContain('alara_last_agreed_epoch -1')
    events.emit('consensus:changed', { epoch: 40, status: 'pending', agreement: 0.5 })
    events.emit('consensus:changed', { epoch: 40, status: 'agreed', agreement: 1 })
    events.emit('consensus:changed', { epoch: 41, status: 'split', agreement: 0.5 })
    // a late change of an older epoch moves neither the latest agreement nor back the last agreed
    events.emit('consensus:changed', { epoch: 39, status: 'agreed', agreement: 0.9 })
    events.emit('epoch:final', { epoch: 40, digestHex: 'aa', count: 1 })
    events.emit('epoch:final', { epoch: 41, digestHex: 'bb', count: 1 })
    events.emit('epoch:final', { epoch: 38, digestHex: 'cc', count: 0 })
    const text = await registry.metrics()
    expect(text).toContain('alara_last_agreed_epoch 40')
    expect(text).toContain('alara_latest_epoch_agreement_ratio 0.5')
    expect(text).toContain('alara_epochs_total{status="agreed"} 1')
    expect(text).toContain('alara_epochs_total{status="split"} 1')
    // epoch 38 was never closed here (a restart's back-fill): not counted
    expect(text).not.toContain('alara_epochs_total{status="pending"}')
  })

  it('counts the shared beacon: epochs by status, commits, refusals, withholders, equivocators, recoveries', async () => {
    const { events, registry } = setup()
    events.emit('beacon:commit', { epoch: 40, originHex: '01', idHex: 'aa', via: 'gossip' })
    events.emit('beacon:commit', { epoch: 40, originHex: '02', idHex: 'bb', via: 'sync' })
    events.emit('beacon:refused', {
      kind: 'reveal',
      verdict: 'reject',
      reason: 'bad-signature',
      via: 'gossip',
    })
    events.emit('beacon:frozen', { epoch: 39, commitsDigestHex: '', count: 0 })
    events.emit('beacon:frozen', { epoch: 40, commitsDigestHex: 'cc', count: 2 })
    events.emit('beacon:equivocation', { epoch: 40, originHex: '03', commitIds: ['dd', 'ee'] })
    events.emit('beacon:withheld', { epoch: 40, origins: ['01', '02'] })
    events.emit('beacon:recovering', { epoch: 40, origins: ['01', '02'], outcome: 'started' })
    events.emit('beacon:recovering', {
      epoch: 40,
      origins: ['01', '02'],
      outcome: 'done',
      ms: 2500,
    })
    events.emit('beacon:recovering', { epoch: 41, origins: ['01'], outcome: 'cancelled' })
    events.emit('beacon:settled', {
      epoch: 40,
      status: 'recovered',
      beaconHex: 'ff',
      withheld: ['01', '02'],
    })
    events.emit('beacon:settled', { epoch: 41, status: 'revealed', beaconHex: 'fe', withheld: [] })
    const text = await registry.metrics()
    expect(text).toContain('alara_beacon_epochs_total{status="none"} 1')
    expect(text).toContain('alara_beacon_epochs_total{status="recovered"} 1')
    expect(text).toContain('alara_beacon_epochs_total{status="revealed"} 1')
    expect(text).toContain('alara_beacon_commits_total 2')
    expect(text).toContain(
      'alara_beacon_refused_total{kind="reveal",verdict="reject",reason="bad-signature"} 1',
    )
    expect(text).toContain('alara_beacon_withheld_total 2')
    expect(text).toContain('alara_beacon_equivocations_total 1')
    expect(text).toContain('alara_beacon_recoveries_total{outcome="done"} 1')
    expect(text).toContain('alara_beacon_recoveries_total{outcome="cancelled"} 1')
    expect(text).toContain('alara_beacon_recovery_seconds_count 1')
    expect(text).toContain('alara_beacon_recovery_seconds_sum 2.5')
  })

  it('counts connected peers as members or strangers (all members without a classifier)', async () => {
    expect(await setup(['a', 'b', 'c']).registry.metrics()).toContain(
      'alara_peers_connected{kind="member"} 3',
    )
    const text = await setup(['a', 'b', 'c'], (p) => p === 'a').registry.metrics()
    expect(text).toContain('alara_peers_connected{kind="member"} 1')
    expect(text).toContain('alara_peers_connected{kind="stranger"} 2')
  })

  it('stop() unsubscribes every listener', () => {
    const { events, metrics } = setup()
    expect(events.listenerCount('contribution:folded')).toBe(1)
    metrics.stop()
    expect(events.listenerCount('contribution:folded')).toBe(0)
    expect(events.listenerCount('consensus:changed')).toBe(0)
  })
})
