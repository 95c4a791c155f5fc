import { readFile } from 'node:fs/promises'
import {
  DEFAULT_BYZANTINE_ROUNDS,
  defaultFinalMs,
  defaultGraceMs,
  defaultRoundMs,
  type ProtocolParams,
  resolveParams,
} from '@alara/protocol'
import { Ajv } from 'ajv'
import { badConfig } from '../errors.js'
import { type HostPort, NETWORK_NAME_PATTERN, splitHostPort } from '../shared.js'
import { type DaemonConfig, DEFAULT_CONFIG } from './defaults.js'

// HOST:PORT, an IPv6 host in brackets: 127.0.0.1:5890, [::1]:5890 (splitHostPort checks the port range)
const HOST_PORT = '^(\\[[0-9A-Fa-f:.]+\\]|[^\\s:\\[\\]]+):[0-9]{1,5}$'

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    network: { type: 'string', pattern: NETWORK_NAME_PATTERN },
    epochMs: { type: 'integer', minimum: 100, maximum: 3_600_000 },
    graceMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
    finalMs: { type: 'integer', minimum: 1, maximum: 86_400_000 },
    roundMs: { type: 'integer', minimum: 1, maximum: 3_600_000 },
    byzantineRounds: { type: 'integer', minimum: 0, maximum: 64 },
    timelockSquarings: { type: 'integer', minimum: 264, maximum: 2 ** 32 },
    recoveryStaggerMs: { type: 'integer', minimum: 0, maximum: 86_400_000 },
    poolBits: { type: 'integer', minimum: 1, maximum: 100_000_000 },
    retainEpochs: { type: 'integer', minimum: 4, maximum: 1_000_000 },
    storeEpochs: { type: 'integer', minimum: 4, maximum: 100_000_000 },
    defaultTrust: { type: 'number', minimum: 0, maximum: 1 },
    byzantineThreshold: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
    maxPeers: { type: 'integer', minimum: 1, maximum: 100_000 },
    maxMessageBytes: { type: 'integer', minimum: 256, maximum: 4 * 1024 * 1024 },
    maxBits: { type: 'integer', minimum: 1, maximum: 8 * 1024 * 1024 },
    maxPerEpoch: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    verifyThreads: { type: 'integer', minimum: 0, maximum: 256 },
    listen: { type: 'array', items: { type: 'string', minLength: 1 } },
    bootstrap: { type: 'array', items: { type: 'string', minLength: 1 } },
    api: { type: 'string', pattern: HOST_PORT },
    publicApi: { type: 'string', pattern: HOST_PORT },
    metrics: { type: 'string', pattern: HOST_PORT },
    mdns: { type: 'boolean' },
    dht: { type: 'boolean' },
    lanMembers: { type: 'boolean' },
    maxMembers: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    // Across the internet
    relay: { type: 'boolean' },
    relayMaxReservations: { type: 'integer', minimum: 1, maximum: 10_000 },
    relayMaxDurationMs: { type: 'integer', minimum: 1000, maximum: 86_400_000 },
    relayMaxDataBytes: { type: 'integer', minimum: 1024, maximum: 1024 * 1024 * 1024 },
    relayReservations: { type: 'integer', minimum: 0, maximum: 8 },
    holePunch: { type: 'boolean' },
    upnp: { type: 'boolean' },
  },
} as const

const ajv = new Ajv({ allErrors: true })
const checkConfig = ajv.compile(configSchema)

/** Validates a partial config (from a file or from flags); throws ERR_BAD_CONFIG. */
export function checkConfigValues(values: unknown, source: string): Partial<DaemonConfig> {
  if (!checkConfig(values)) {
    const detail = (checkConfig.errors ?? [])
      .map((e) =>
        e.keyword === 'additionalProperties'
          ? `unknown key '${String(e.params.additionalProperty)}' (docs/OPERATIONS.md lists the keys)`
          : `${e.instancePath.slice(1) || 'config'} ${e.message ?? 'is invalid'}`,
      )
      .join('; ')
    throw badConfig(source, detail)
  }
  const partial = values as Partial<DaemonConfig>
  if (partial.api !== undefined) parseHostPort(partial.api, source)
  if (partial.publicApi !== undefined) parseHostPort(partial.publicApi, source, 'publicApi')
  if (partial.metrics !== undefined) parseHostPort(partial.metrics, source, 'metrics')
  for (const entry of partial.bootstrap ?? [])
    if (!/\/p2p\/[1-9A-HJ-NP-Za-km-z]+$/.test(entry))
      throw badConfig(
        source,
        `bootstrap address '${entry}' must end with /p2p/<peer id> (as printed by alara id)`,
      )
  checkTiming(partial, source)
  return partial
}

/**
 * An epoch must close (end + graceMs) before it is final (end + finalMs), or it would
 * freeze before anyone voted on it; and admission after close must end (close +
 * (byzantineRounds + 1) × roundMs) by then. Checked on each layer and on the merged config.
 */
export function checkTiming(config: Partial<DaemonConfig>, source: string): void {
  const graceMs = config.graceMs
  if (graceMs === undefined) return
  const finalMs =
    config.finalMs ?? (config.epochMs === undefined ? undefined : defaultFinalMs(config.epochMs))
  if (finalMs === undefined) return
  const finalSays = `finalMs (${finalMs}${config.finalMs === undefined ? ', 3 epochs' : ''})`
  if (finalMs <= graceMs)
    throw badConfig(
      source,
      `${finalSays} must be above graceMs (${graceMs}): an epoch must close before it is final`,
    )
  const roundMs = config.roundMs ?? defaultRoundMs(graceMs)
  const rounds = config.byzantineRounds ?? DEFAULT_BYZANTINE_ROUNDS
  if (roundMs < 1)
    throw badConfig(source, `roundMs (${roundMs}, graceMs / 2) must be at least 1: set roundMs`)
  const deadline = graceMs + (rounds + 1) * roundMs
  if (deadline > finalMs)
    throw badConfig(
      source,
      `admission after close ends at graceMs + (byzantineRounds + 1) × roundMs = ${graceMs} + ${rounds + 1} × ${roundMs} = ${deadline} ms after the epoch, past ${finalSays}: lower roundMs or byzantineRounds, or raise finalMs`,
    )
}

export async function readConfigFile(file: string): Promise<Partial<DaemonConfig>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw badConfig(file, (err as Error).message)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw badConfig(file, `not valid JSON (${(err as Error).message})`)
  }
  return checkConfigValues(parsed, file)
}

/**
 * Layers over the defaults, later ones winning. graceMs not set by any layer follows the
 * merged epochMs (defaultGraceMs: half an epoch, at most 1000 ms), as finalMs does
 * (3 epochs), so `--epoch-ms 250` alone is a valid timing.
 */
export function mergeConfig(...layers: Array<Partial<DaemonConfig>>): DaemonConfig {
  const out: DaemonConfig = { ...DEFAULT_CONFIG }
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) if (v !== undefined) Object.assign(out, { [k]: v })
  }
  if (layers.every((layer) => layer.graceMs === undefined))
    out.graceMs = defaultGraceMs(out.epochMs)
  checkTiming(out, 'config.json and flags together')
  return out
}

export function protocolParams(config: DaemonConfig): ProtocolParams {
  return resolveParams({
    network: config.network,
    epochMs: config.epochMs,
    graceMs: config.graceMs,
    finalMs: config.finalMs,
    ...(config.roundMs !== undefined ? { roundMs: config.roundMs } : {}),
    ...(config.byzantineRounds !== undefined ? { byzantineRounds: config.byzantineRounds } : {}),
    timelockSquarings: config.timelockSquarings,
    poolBits: config.poolBits,
    retainEpochs: config.retainEpochs,
    defaultTrust: config.defaultTrust,
    byzantineThreshold: config.byzantineThreshold,
    maxMessageBytes: config.maxMessageBytes,
    maxBits: config.maxBits,
    maxPerEpoch: config.maxPerEpoch,
  })
}

export function parseHostPort(value: string, source = 'api', key = 'api'): HostPort {
  const parsed = splitHostPort(value)
  if (parsed === undefined)
    throw badConfig(
      source,
      `${key} must be HOST:PORT (an IPv6 host in brackets) with a port 0..65535, got '${value}'`,
    )
  return parsed
}
