/**
 * The one machine-readable line `alara daemon --json` prints on stdout once the node
 * serves its API: what `alara devnet` and the multi-daemon tests wait for (the human
 * ready line is for people and may change). Parsed by @alara/cli's harness.
 */
export interface ReadyInfo {
  event: 'ready'
  peerId: string
  network: string
  /** the control API's base URL */
  apiUrl: string
  /** the libp2p listening multiaddrs */
  addresses: string[]
  home: string
}
