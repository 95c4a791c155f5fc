// The ALARA live dashboard: plain browser JavaScript, no build step, no network beyond
// this node. The API token comes in the URL fragment (#token=…), which browsers never
// send to a server; it is kept in sessionStorage and removed from the address bar.
import { $, el } from './dom.js'

const TOKEN_KEY = 'alara-api-token'
const fromHash = new URLSearchParams(location.hash.slice(1)).get('token')
if (fromHash) {
  sessionStorage.setItem(TOKEN_KEY, fromHash)
  history.replaceState(null, '', location.pathname)
}
const token = sessionStorage.getItem(TOKEN_KEY)
const headers = { authorization: `Bearer ${token}` }
const EPOCHS = 16
const MAX_EVENTS = 100
const MAX_POINTS = 720

const shortPeer = (id) => (id.length <= 16 ? id : `${id.slice(0, 4)}…${id.slice(-6)}`)
const pct = (x) => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(0)}%`)
const ago = (ms) => {
  if (!ms) return 'never'
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000))
  return s < 2 ? 'now' : s < 120 ? `${s}s ago` : `${Math.round(s / 60)}m ago`
}

function showError(message) {
  const box = $('error')
  box.hidden = message === undefined
  box.textContent = message ?? ''
}

async function api(path) {
  const res = await fetch(path, { headers })
  const body = await res.json().catch(() => undefined)
  if (!res.ok) throw new Error(body?.error?.message ?? `${path}: HTTP ${res.status}`)
  return body
}

// ---- consensus matrix ---------------------------------------------------------------

function renderMatrix(epochs) {
  const box = $('matrix')
  const shown = [...epochs].sort((a, b) => a.epoch - b.epoch)
  const voters = []
  const seen = new Set()
  // this node first (the API lists it first in each epoch), then others by first vote
  for (const e of [...epochs].sort((a, b) => b.epoch - a.epoch))
    for (const v of e.voters)
      if (!seen.has(v.peerId)) {
        seen.add(v.peerId)
        voters.push(v.peerId)
      }
  const head = el('tr', {}, [el('th', { text: 'voter' }), el('th', { text: 'agreement' })])
  const status = el('tr', {}, [el('th', { text: 'status' }), el('th')])
  // the shared beacon Ω_r of each epoch: revealed, recovered, pending or none
  const shared = el('tr', { class: 'shared' }, [el('th', { text: 'beacon Ω' }), el('th')])
  for (const e of shown) {
    const s = e.shared ?? { status: 'none', withheld: [], equivocating: [] }
    const blamed = [
      ...s.withheld.map((p) => `withheld: ${p}`),
      ...s.equivocating.map((p) => `equivocating: ${p}`),
    ]
    shared.append(
      el('td', {
        class: `cell shared-${s.status}${blamed.length > 0 ? ' blamed' : ''}`,
        text: { revealed: '✓', recovered: '↻', pending: '…', none: '·' }[s.status] ?? '?',
        title: [`epoch ${e.epoch}: Ω ${s.status}`, ...blamed].join('\n'),
      }),
    )
  }
  for (const e of shown) {
    head.append(el('th', { text: String(e.epoch % 10000), title: `epoch ${e.epoch}` }))
    status.append(
      el('td', {
        class: `cell status-${e.status}`,
        text:
          e.status === 'agreed'
            ? '●'
            : e.status === 'split'
              ? '◐'
              : e.status === 'alone'
                ? '○'
                : '…',
        title: `epoch ${e.epoch}: ${e.status}, agreement ${pct(e.agreement)}, ${e.count} contributions`,
      }),
    )
  }
  const rows = voters.map((peerId, i) => {
    let voted = 0
    let agreed = 0
    const cells = shown.map((e) => {
      const v = e.voters.find((x) => x.peerId === peerId)
      if (v === undefined) return el('td', { class: 'cell none', text: '·', title: 'no vote' })
      voted++
      if (v.agrees) agreed++
      return el('td', {
        class: `cell ${v.agrees ? 'agree' : 'differ'}`,
        text: v.agrees ? '✓' : '✗',
        title: `epoch ${e.epoch}: digest ${v.digest.slice(0, 16)}…, trust ${v.trust}`,
      })
    })
    const share = voted === 0 ? null : agreed / voted
    return el('tr', { 'data-peer': peerId }, [
      el('td', {
        class: 'mono',
        text: `${shortPeer(peerId)}${i === 0 ? ' (this node)' : ''}`,
        title: peerId,
      }),
      el('td', { class: 'agreement', text: `${pct(share)} (${agreed}/${voted})` }),
      ...cells,
    ])
  })
  const table = el('table', { class: 'matrix' }, [
    el('thead', {}, [head, status, shared]),
    el('tbody', {}, rows),
  ])
  // withholders and equivocators, named per epoch (their signed commits: /v1/beacon/{epoch})
  const blame = shown.flatMap((e) => {
    const s = e.shared
    if (s === undefined) return []
    return [
      ...s.withheld.map((p) => ['withheld', e.epoch, p]),
      ...s.equivocating.map((p) => ['equivocating', e.epoch, p]),
    ]
  })
  const blameList = el(
    'ul',
    { id: 'beacon-blame', class: 'blame' },
    blame.map(([what, epoch, peerId]) =>
      el('li', {
        'data-kind': what,
        'data-epoch': String(epoch),
        'data-peer': peerId,
        class: 'mono',
        text: `epoch ${epoch}: ${shortPeer(peerId)} ${what === 'withheld' ? 'withheld its reveal' : 'signed two commits'}`,
        title: peerId,
      }),
    ),
  )
  box.replaceChildren(
    ...(shown.length === 0
      ? [el('p', { class: 'muted', text: 'no epoch closed yet' })]
      : [table, blameList]),
  )
  box.dataset.latestEpoch = String(shown.at(-1)?.epoch ?? '')
  box.dataset.voters = String(voters.length)
}

// ---- summary and peers --------------------------------------------------------------

function renderStatus(s) {
  $('node').textContent = `${s.peerId} · network ${s.network}`
  $('epoch').textContent = String(s.epoch)
  $('last-final').textContent = s.lastFinalEpoch === null ? 'none yet' : String(s.lastFinalEpoch)
  $('peer-count').textContent = `${s.peers} connected`
  $('credit').textContent = `${s.creditBits.toFixed(1)} bits${s.ready ? ' · ready' : ''}`
  const c = s.consensus
  const latest = $('latest-consensus')
  latest.textContent = c === null ? 'none yet' : `${c.epoch}: ${c.status} ${pct(c.agreement)}`
  latest.className = `value ${c === null ? '' : `status-${c.status}`}`
}

function renderPeers(peers) {
  const rows = peers.map((p) =>
    el('tr', { 'data-peer': p.peerId }, [
      el('td', { class: 'mono', text: shortPeer(p.peerId), title: p.peerId }),
      el('td', { text: p.connected ? 'yes' : 'no' }),
      // membership (closed networks) when the node reports it; otherwise every peer counts
      el('td', { text: p.member === undefined ? 'yes (open network)' : p.member ? 'yes' : 'no' }),
      el('td', { text: String(p.trust) }),
      el('td', { text: p.active ? 'yes' : 'no' }),
      el('td', { text: String(p.contributions) }),
      el('td', {
        text: p.epochsVoted === undefined ? '—' : `${p.epochsAgreed}/${p.epochsVoted}`,
      }),
      el('td', { text: ago(p.lastSeenMs) }),
    ]),
  )
  $('peers').tBodies[0].replaceChildren(...rows)
}

// ---- entropy chart ------------------------------------------------------------------

const series = [[], [], []]
let plot
function renderChart(quality) {
  series[0].push(Date.now() / 1000)
  series[1].push(quality.creditBits)
  series[2].push(quality.minEntropyPerBit)
  if (series[0].length > MAX_POINTS) for (const s of series) s.shift()
  if (typeof uPlot === 'undefined') return
  if (plot === undefined) {
    const box = $('chart')
    plot = new uPlot(
      {
        width: Math.max(320, box.clientWidth),
        height: 240,
        scales: { x: { time: true }, ratio: { range: [0, 1] } },
        series: [
          {},
          { label: 'credited entropy (bits)', stroke: '#1b8a4a', width: 2, scale: 'bits' },
          { label: 'min-entropy per bit', stroke: '#c0392b', width: 2, scale: 'ratio' },
        ],
        axes: [
          {},
          { scale: 'bits', label: 'bits' },
          { scale: 'ratio', side: 1, grid: { show: false } },
        ],
      },
      series,
      box,
    )
  } else plot.setData(series)
}

// ---- refresh ------------------------------------------------------------------------

let pending
async function refresh() {
  try {
    const [status, consensus, peers, quality] = await Promise.all([
      api('/v1/status'),
      api(`/v1/consensus?epochs=${EPOCHS}`),
      api('/v1/peers'),
      api('/v1/quality'),
    ])
    renderStatus(status)
    renderMatrix(consensus.epochs)
    renderPeers(peers.peers)
    renderChart(quality)
    showError(undefined)
    return status.epochMs
  } catch (err) {
    showError(`cannot read the node: ${err.message}`)
    return undefined
  }
}
function refreshSoon() {
  clearTimeout(pending)
  pending = setTimeout(refresh, 250)
}

// ---- event stream (fetch, so the token travels in a header, never in a URL) ---------

function addEvent(type, data) {
  const list = $('events')
  const time = new Date().toLocaleTimeString()
  const detail = JSON.stringify(data)
  list.prepend(
    el('li', {}, [
      `${time} `,
      el('span', { class: 'type', text: type }),
      ` ${detail.length > 160 ? `${detail.slice(0, 160)}…` : detail}`,
    ]),
  )
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove()
  if (type === 'epoch:closed' || type === 'consensus:changed' || type.startsWith('peer:'))
    refreshSoon()
}

function parseFrame(frame) {
  let type = 'message'
  const data = []
  for (const line of frame.split('\n')) {
    if (line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') type = value
    else if (field === 'data') data.push(value)
  }
  if (data.length > 0) addEvent(type, JSON.parse(data.join('\n')))
}

async function stream() {
  const conn = $('conn')
  for (;;) {
    try {
      const res = await fetch('/v1/events', { headers })
      if (!res.ok || res.body === null) throw new Error(`HTTP ${res.status}`)
      conn.textContent = 'live'
      conn.className = 'pill live'
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
      let buffer = ''
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        buffer += value
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          parseFrame(buffer.slice(0, end))
          buffer = buffer.slice(end + 2)
          end = buffer.indexOf('\n\n')
        }
      }
      throw new Error('stream ended')
    } catch (err) {
      conn.textContent = `reconnecting (${err.message})`
      conn.className = 'pill down'
      await new Promise((r) => setTimeout(r, 3000))
    }
  }
}

async function main() {
  if (!token) {
    showError(
      'no API token: open this page with the URL that `alara dashboard` prints (…/ui/#token=…)',
    )
    return
  }
  const epochMs = (await refresh()) ?? 5000
  // the event stream drives the refresh; the timer is a floor for quiet moments
  setInterval(refresh, Math.max(2000, epochMs))
  void stream()
}
void main()
