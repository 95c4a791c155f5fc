// The dashboard's beacon panel: fetches final beacons from this node's public beacon API
// with @alara/client (bundled for the browser at build time, served from vendor/client/)
// and verifies each one here, in the browser, trusting nothing the server says: canonical
// decoding, network, epoch, every Ed25519 signature (WebCrypto); the shared beacon Ω_r
// (version 2) from the signed commits, reveals and recovery (D_r, the reveals' check or
// the recovery's proof, Y and Ω_r, with h checked against its proof); the pool beacon
// recomputed from the contributions. The result is shown as verified (with Ω_r's status:
// revealed, recovered, or pending), or failed with the client's reason.
import { $, el } from './dom.js'

const TOKEN_KEY = 'alara-api-token'
const CLIENT_BUNDLE = './vendor/client/alara-client.js'
/** the hosts of a listener bound to every interface: the page's own host is used instead */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '[::]'])

/** A beacon panel result box: `state` is also its data-state (tests and styles read it). */
function show(box, state, rows, note) {
  box.dataset.state = state
  const badge = {
    loading: 'checking…',
    verified: '✓ verified in this browser',
    failed: '✗ verification failed',
    unreachable: 'unreachable',
    none: 'no beacon',
    off: 'public beacon API off',
  }[state]
  const children = [el('span', { class: `badge beacon-${state}`, text: badge })]
  if (rows.length > 0)
    children.push(
      el(
        'dl',
        { class: 'beacon-fields' },
        rows.flatMap(([k, v, cls]) => [
          el('dt', { text: k }),
          el('dd', { class: cls ?? '', text: v }),
        ]),
      ),
    )
  if (note !== undefined) children.push(el('p', { class: `beacon-note ${state}`, text: note }))
  box.replaceChildren(...children)
}

const STATUS_SAYS = {
  revealed: 'revealed (every member of C_r revealed)',
  recovered: 'recovered (withheld reveals recovered by the time-lock)',
  pending: 'pending (reveals or a recovery still to come)',
  none: 'none (no member committed)',
}

function showVerified(box, b) {
  box.dataset.epoch = String(b.epoch)
  // data-beacon is Ω_r, the shared beacon; data-pool-beacon version 1's
  if (b.beacon === undefined) delete box.dataset.beacon
  else box.dataset.beacon = b.beacon
  if (b.poolBeacon === undefined) delete box.dataset.poolBeacon
  else box.dataset.poolBeacon = b.poolBeacon
  box.dataset.status = b.status
  const rows = [
    ['epoch', String(b.epoch)],
    ['beacon Ω', b.beacon ?? '—', 'mono hex'],
    ['status', STATUS_SAYS[b.status] ?? b.status],
  ]
  if (b.commits.length > 0)
    rows.push(['commits', `${b.commits.length} (each signature checked, D_r recomputed)`])
  if (b.withheld.length > 0) rows.push(['withheld', b.withheld.join(', '), 'mono'])
  if (b.equivocating.length > 0) rows.push(['equivocating', b.equivocating.join(', '), 'mono'])
  rows.push(
    ['pool beacon', b.poolBeacon ?? '— (no contributions)', 'mono hex'],
    ['contributions', `${b.count} (each signature checked)`],
    ['digest', b.digest, 'mono hex'],
    ['source', b.source, 'mono'],
  )
  show(box, 'verified', rows)
}

/**
 * The client throws VerifyError (ERR_VERIFY) for an answer that does not prove itself; as
 * it tries sources in turn, that arrives inside AllSourcesFailedError's `failures`.
 */
function showError(box, err, what) {
  delete box.dataset.epoch
  delete box.dataset.beacon
  delete box.dataset.poolBeacon
  delete box.dataset.status
  const failures = Array.isArray(err.failures)
    ? err.failures
    : [{ code: err.code, message: err.message }]
  const refused = failures.find((f) => f.code === 'ERR_VERIFY')
  if (refused !== undefined) {
    show(box, 'failed', [['asked', what]], `refused: ${refused.message}`)
  } else if (err.code === 'ERR_NOT_FOUND') {
    show(
      box,
      'none',
      [['asked', what]],
      'not a final epoch with a beacon (yet): epochs turn final a few epochs after they close',
    )
  } else if (err.code === 'ERR_INVALID_INPUT') {
    show(box, 'failed', [['asked', what]], err.message)
  } else {
    const reason = failures.map((f) => `${f.code}: ${f.message}`).join('; ')
    show(box, 'unreachable', [['asked', what]], `cannot read the public beacon API: ${reason}`)
  }
}

/** `publicApiUrl` as the browser can reach it (same rule as the server's CSP, api/ui.ts). */
function reachableUrl(publicApiUrl) {
  const url = new URL(publicApiUrl)
  if (WILDCARD_HOSTS.has(url.hostname)) url.hostname = location.hostname
  return url.origin
}

async function controlApi(path, token) {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } })
  const body = await res.json().catch(() => undefined)
  if (!res.ok) throw new Error(body?.error?.message ?? `${path}: HTTP ${res.status}`)
  return body
}

async function main() {
  const latestBox = $('beacon-latest')
  const lookupBox = $('beacon-lookup')
  const form = $('beacon-form')
  const token =
    sessionStorage.getItem(TOKEN_KEY) ?? new URLSearchParams(location.hash.slice(1)).get('token')
  if (!token) return // app.js says how to open the page
  show(latestBox, 'loading', [])

  let id
  try {
    id = await controlApi('/v1/id', token)
  } catch (err) {
    show(latestBox, 'unreachable', [], `cannot read the node: ${err.message}`)
    return
  }
  if (id.publicApiUrl === undefined) {
    form.hidden = true
    show(
      latestBox,
      'off',
      [],
      'This node does not publish beacons. Start it with --public-api HOST:PORT (or set publicApi in config.json, or ALARA_PUBLIC_API), e.g. alara daemon --public-api 127.0.0.1:5891, and reload this page.',
    )
    return
  }

  let client
  try {
    const { createClient } = await import(CLIENT_BUNDLE)
    // pinned to this node's network: a public API serving another network is refused too
    client = createClient({ urls: [reachableUrl(id.publicApiUrl)], network: id.network })
  } catch (err) {
    form.hidden = true
    show(
      latestBox,
      'unreachable',
      [],
      `the beacon client did not load (${err.message}); build it with ./scripts/setup or pnpm build`,
    )
    return
  }
  $('beacon-source').textContent = reachableUrl(id.publicApiUrl)

  async function refreshLatest() {
    try {
      showVerified(latestBox, await client.latest())
    } catch (err) {
      showError(latestBox, err, 'latest')
    }
  }

  form.hidden = false
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const text = $('beacon-query').value.trim()
    // data-query names the question the shown result answers (for tests and scripts)
    delete lookupBox.dataset.query
    show(lookupBox, 'loading', [['asked', text]])
    try {
      if (/^\d+$/.test(text)) showVerified(lookupBox, await client.get(Number(text)))
      else {
        const ms = Date.parse(text)
        if (Number.isNaN(ms)) {
          const err = new Error(`'${text}' is neither an epoch number nor a time (ISO 8601)`)
          err.code = 'ERR_INVALID_INPUT'
          throw err
        }
        showVerified(lookupBox, await client.at(ms))
      }
    } catch (err) {
      showError(lookupBox, err, text)
    }
    lookupBox.dataset.query = text
  })

  await refreshLatest()
  let epochMs = 5000
  try {
    epochMs = (await client.info()).epochMs
  } catch {
    // the latest box already says why the source cannot be read
  }
  // a new epoch turns final once per epoch
  setInterval(refreshLatest, Math.max(1000, epochMs))
}

void main()
