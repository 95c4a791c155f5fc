import type { DaemonOverrides } from '@alara/daemon'
import { DEFAULT_CONFIG } from '@alara/daemon/defaults'
import { DEFAULT_PARAMS } from '@alara/protocol/params'
import { type Command, InvalidArgumentError, Option } from 'commander'
import { UsageError } from '../errors.js'
import {
  parseBootstrapAddr,
  parseHostPort,
  parseMultiaddr,
  parseNetwork,
  parseNonNegativeInt,
  parsePositiveInt,
} from '../validate.js'

/**
 * `alara daemon`'s flags, each also read from an `ALARA_*` environment variable, with
 * the defaults shown in --help taken from the daemon's config module (never copied).
 * Only what is given (flag or variable) overrides config.json: commander's value source
 * tells the two apart from nothing given.
 */

/** A repeatable flag whose value (or variable) may also be a comma-separated list. */
function list(parse: (value: string) => string): (value: string, previous?: string[]) => string[] {
  return (value, previous) => [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map(parse),
  ]
}

const shown = (value: string | undefined): string => `(default: ${value ?? 'off'})`

export function daemonOptions(): Option[] {
  const d = DEFAULT_CONFIG
  return [
    new Option('--network <name>', `network name; a new repo takes it ${shown(d.network)}`)
      .env('ALARA_NETWORK')
      .argParser(parseNetwork),
    new Option(
      '--listen <multiaddr>',
      `libp2p listen address, repeatable or comma-separated ${shown(d.listen.join(','))}`,
    )
      .env('ALARA_LISTEN')
      .argParser(list(parseMultiaddr)),
    new Option(
      '--bootstrap <multiaddr>',
      `peer to dial at start, ending in /p2p/<id>; repeatable or comma-separated ${shown(d.bootstrap.join(',') || 'none')}`,
    )
      .env('ALARA_BOOTSTRAP')
      .argParser(list(parseBootstrapAddr)),
    new Option('--api <host:port>', `control API address; port 0 picks a free one ${shown(d.api)}`)
      .env('ALARA_API')
      .argParser(parseHostPort),
    new Option(
      '--public-api <host:port>',
      `serve the public beacon API (read-only, no token) there; port 0 picks a free one ${shown(d.publicApi)}`,
    )
      .env('ALARA_PUBLIC_API')
      .argParser(parseHostPort),
    new Option(
      '--metrics <host:port>',
      `serve Prometheus metrics (GET /metrics) there; port 0 picks a free one ${shown(d.metrics)}`,
    )
      .env('ALARA_METRICS')
      .argParser(parseHostPort),
    new Option(
      '--epoch-ms <n>',
      `epoch length in ms; every node of a network must agree ${shown(String(d.epochMs))}`,
    )
      .env('ALARA_EPOCH_MS')
      .argParser(parsePositiveInt),
    new Option(
      '--round-ms <n>',
      `admission after close: one round in ms; every node of a network must agree ${shown('graceMs / 2')}`,
    )
      .env('ALARA_ROUND_MS')
      .argParser(parsePositiveInt),
    new Option(
      '--byzantine-rounds <n>',
      `admission after close: colluding members tolerated (rounds + 1); every node must agree ${shown(String(DEFAULT_PARAMS.byzantineRounds))}`,
    )
      .env('ALARA_BYZANTINE_ROUNDS')
      .argParser(parseNonNegativeInt),
    new Option(
      '--timelock-squarings <n>',
      `T of the shared beacon's time-lock (squarings that recover a withheld reveal); every node of a network must agree ${shown(String(DEFAULT_PARAMS.timelockSquarings))}`,
    )
      .env('ALARA_TIMELOCK_SQUARINGS')
      .argParser(parsePositiveInt),
    new Option(
      '--recovery-stagger-ms <n>',
      `recovery rank k starts k × this after a recovery is due ${shown('half of one recovery')}`,
    )
      .env('ALARA_RECOVERY_STAGGER_MS')
      .argParser(parseNonNegativeInt),
    new Option(
      '--no-mdns',
      `no LAN discovery by mDNS; the variable turns it off when set ${shown(d.mdns ? 'mDNS on' : 'mDNS off')}`,
    ).env('ALARA_NO_MDNS'),
    ...internetOptions(),
  ]
}

/** Across the internet (docs/OPERATIONS.md): relay, reservations, hole punching, UPnP. */
function internetOptions(): Option[] {
  const d = DEFAULT_CONFIG
  return [
    new Option(
      '--relay',
      `serve as a circuit relay v2 for members behind NATs (a publicly reachable node); the variable turns it on when set ${shown(d.relay ? 'on' : 'off')}`,
    ).env('ALARA_RELAY'),
    new Option(
      '--relay-max-reservations <n>',
      `relay: reservations held at once ${shown(String(d.relayMaxReservations))}`,
    )
      .env('ALARA_RELAY_MAX_RESERVATIONS')
      .argParser(parsePositiveInt),
    new Option(
      '--relay-max-duration-ms <n>',
      `relay: a relayed connection is closed after this many ms ${shown(String(d.relayMaxDurationMs))}`,
    )
      .env('ALARA_RELAY_MAX_DURATION_MS')
      .argParser(parsePositiveInt),
    new Option(
      '--relay-max-data-bytes <n>',
      `relay: a relayed connection is closed after this many bytes each way ${shown(String(d.relayMaxDataBytes))}`,
    )
      .env('ALARA_RELAY_MAX_DATA_BYTES')
      .argParser(parsePositiveInt),
    new Option(
      '--relay-reservations <n>',
      `when private: relays among the bootstrap peers to take a reservation on; 0 takes none ${shown(String(d.relayReservations))}`,
    )
      .env('ALARA_RELAY_RESERVATIONS')
      .argParser(parseNonNegativeInt),
    new Option(
      '--no-hole-punch',
      `no DCUtR hole punching of relayed connections; the variable turns it off when set ${shown(d.holePunch ? 'on' : 'off')}`,
    ).env('ALARA_NO_HOLE_PUNCH'),
    new Option(
      '--upnp',
      `ask the router for a port mapping by UPnP; the variable turns it on when set ${shown(d.upnp ? 'on' : 'off')}`,
    ).env('ALARA_UPNP'),
  ]
}

const GIVEN = new Set(['cli', 'env'])

/**
 * Commander reads `process.env` itself; a run with another environment (run()'s injected
 * `io.env`, in tests) gets the same variables applied here, through the same parsers.
 */
export function applyEnv(cmd: Command, env: NodeJS.ProcessEnv): void {
  for (const option of cmd.options) {
    const name = option.envVar
    if (name === undefined) continue
    const raw = env[name]
    const key = option.attributeName()
    if (raw === undefined || GIVEN.has(cmd.getOptionValueSource(key) ?? '')) continue
    let value: unknown
    if (!option.required && !option.optional) value = !option.negate
    else
      try {
        value = option.parseArg === undefined ? raw : option.parseArg(raw, undefined as never)
      } catch (err) {
        if (!(err instanceof InvalidArgumentError)) throw err
        throw new UsageError(
          cmd,
          `environment variable ${name}='${raw}' is invalid. ${err.message}`,
        )
      }
    cmd.setOptionValueWithSource(key, value, 'env')
  }
}

interface DaemonFlags {
  network?: string
  listen?: string[]
  bootstrap?: string[]
  api?: string
  epochMs?: number
  roundMs?: number
  byzantineRounds?: number
  timelockSquarings?: number
  recoveryStaggerMs?: number
  publicApi?: string
  metrics?: string
  mdns: boolean
  relay?: boolean
  relayMaxReservations?: number
  relayMaxDurationMs?: number
  relayMaxDataBytes?: number
  relayReservations?: number
  holePunch: boolean
  upnp?: boolean
}

/** Only flags or variables actually given override config.json. */
export function daemonOverrides(cmd: Command, globalApi: string | undefined): DaemonOverrides {
  const flags = cmd.opts<DaemonFlags>()
  const given = (key: keyof DaemonFlags): boolean => GIVEN.has(cmd.getOptionValueSource(key) ?? '')
  const overrides: DaemonOverrides = {}
  if (given('network')) overrides.network = flags.network
  if (given('listen')) overrides.listen = flags.listen
  if (given('bootstrap')) overrides.bootstrap = flags.bootstrap
  if (given('epochMs')) overrides.epochMs = flags.epochMs
  if (given('roundMs')) overrides.roundMs = flags.roundMs
  if (given('byzantineRounds')) overrides.byzantineRounds = flags.byzantineRounds
  if (given('timelockSquarings')) overrides.timelockSquarings = flags.timelockSquarings
  if (given('recoveryStaggerMs')) overrides.recoveryStaggerMs = flags.recoveryStaggerMs
  if (given('publicApi')) overrides.publicApi = flags.publicApi
  if (given('metrics')) overrides.metrics = flags.metrics
  if (given('mdns')) overrides.mdns = flags.mdns
  // Across the internet
  if (given('relay')) overrides.relay = flags.relay
  if (given('relayMaxReservations')) overrides.relayMaxReservations = flags.relayMaxReservations
  if (given('relayMaxDurationMs')) overrides.relayMaxDurationMs = flags.relayMaxDurationMs
  if (given('relayMaxDataBytes')) overrides.relayMaxDataBytes = flags.relayMaxDataBytes
  if (given('relayReservations')) overrides.relayReservations = flags.relayReservations
  if (given('holePunch')) overrides.holePunch = flags.holePunch
  if (given('upnp')) overrides.upnp = flags.upnp
  if (globalApi !== undefined) {
    // --api is also the global flag, so commander hands it to the program: check it here
    try {
      overrides.api = parseHostPort(globalApi)
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err
      throw new UsageError(
        cmd,
        `option '--api <host:port>' argument '${globalApi}' is invalid. ${err.message}`,
      )
    }
  } else if (given('api')) overrides.api = flags.api
  return overrides
}
