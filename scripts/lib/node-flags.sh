# shellcheck shell=bash
# The V8 flags every `alara` process runs with: those on the shebang line of the CLI's
# entry point (packages/cli/src/bin.ts, copied to dist/bin.js by the build), their one
# home; packages/cli/src/node-flags.ts lists them for the code that spawns a daemon.
alara_node_flags() { sed -n '1s|^#!/usr/bin/env -S node *||p' "$1"; }
