import { toString as bytesToString, fromString as hexToBytes } from 'uint8arrays'
import { percent, plural, shortHex, shortPeerId } from '../output.js'

/** One event of `GET /v1/events`, as `alara watch --json` prints it. */
export interface WatchEvent {
  type: string
  timeMs: number
  [field: string]: unknown
}

/** An origin's multihash (hex) as the peer id people know (base58btc), shortened. */
export function originPeer(originHex: unknown): string {
  if (typeof originHex !== 'string' || originHex === '') return '?'
  try {
    return shortPeerId(bytesToString(hexToBytes(originHex, 'base16'), 'base58btc'))
  } catch {
    return shortHex(originHex, 12)
  }
}

function clock(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(11, 19)
}

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v))
const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN)

/** The human line for one event: short, one line, the time first. */
export function renderWatchLine(e: WatchEvent): string {
  const epoch = `epoch ${str(e.epoch)}`
  let text: string
  switch (e.type) {
    case 'epoch:closed':
      text = `${epoch} closed: ${plural(num(e.count), 'contribution')}, digest ${shortHex(str(e.digestHex))}, voted`
      break
    case 'consensus:changed':
      text = `${epoch} ${str(e.status)}, agreement ${percent(num(e.agreement))}`
      break
    case 'epoch:final':
      text = `${epoch} final: ${plural(num(e.count), 'contribution')}${
        typeof e.beaconHex === 'string' ? `, beacon ${shortHex(e.beaconHex, 16)}` : ''
      }`
      break
    case 'vote:received':
      text = `vote ${epoch} from ${originPeer(e.originHex)}: ${plural(num(e.count), 'contribution')}, digest ${shortHex(str(e.digestHex))}`
      break
    case 'contribution:folded':
    case 'contribution:stored': {
      const lag = num(e.receivedMs) - num(e.timestampMs)
      text = `${e.type === 'contribution:folded' ? 'folded' : 'stored (not folded)'} ${num(e.bitLength)} bits from ${originPeer(e.originHex)} (${epoch}, via ${str(e.via)}${Number.isFinite(lag) ? `, ${lag} ms after publish` : ''})`
      break
    }
    case 'contribution:refused':
    case 'vote:refused':
      text = `${e.type === 'vote:refused' ? 'vote' : 'contribution'} refused (${str(e.verdict)}: ${str(e.reason)}) via ${str(e.via)}${
        typeof e.from === 'string' ? ` from ${shortPeerId(e.from)}` : ''
      }`
      break
    case 'digest:changed':
      text = `${epoch} digest changed: voting again`
      break
    case 'repair:needed':
      text = `${epoch} differs from ${shortPeerId(str(e.peerId))}: repairing`
      break
    case 'repair:done':
      text = `${epoch} repair from ${shortPeerId(str(e.peerId))}: ${str(e.outcome)}, ${num(e.fetched)} fetched`
      break
    case 'peer:connected':
      text = `peer joined ${str(e.peerId)}`
      break
    case 'peer:disconnected':
      text = `peer left ${str(e.peerId)}`
      break
    case 'inject:done':
      text = `injected ${plural(Array.isArray(e.ids) ? e.ids.length : 0, 'contribution')} into ${epoch} in ${num(e.ms)} ms`
      break
    default:
      text = `${e.type} ${JSON.stringify({ ...e, type: undefined, timeMs: undefined })}`
  }
  return `${clock(e.timeMs)} ${text}`
}
