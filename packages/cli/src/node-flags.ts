/**
 * The V8 flags every `alara` process runs with: they are on bin.ts's shebang line, which
 * is how a user's `alara` (the npm bin, /usr/local/bin/alara, the systemd unit) starts
 * Node; scripts/alara reads them from there; DaemonChild (`alara devnet`, the tests, the
 * benchmarks) passes these. node-flags.test.ts checks that the two lists agree.
 *
 * `--max-semi-space-size=4`: V8's young generation is two semi-spaces of up to 16 MB
 * each by default on 64 bits; a daemon's start (its modules, then the reload of its
 * store) grows them to the full size, and V8 gives the memory back only after a minute
 * idle. At 4 MB a daemon with 100k contributions stored is ~20 MB smaller at ready (198
 * MB against 216–223); under a flood the smaller young generation collects more often
 * (valid flood 9.4k/s against 10.4k/s, one run each): docs/BENCHMARKS.md, "Restart".
 */
export const NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=4'])
