# shellcheck shell=bash
# Sourced by every script in scripts/: makes Node >= 22 and pnpm available from the
# checkout itself (never a global install), installs the workspace and builds it.
# Idempotent: a second run only compares stamps.

ALARA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ALARA_TOOLS="$ALARA_ROOT/.tools"
ALARA_NODE_VERSION=22.23.3   # libp2p 3 needs Node >= 22 (Promise.withResolvers)
ALARA_PNPM_VERSION=10.34.8

alara_log() { printf '[alara] %s\n' "$*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

alara_ensure_node() {
  local sys
  sys=$(command -v node || true)
  if [ -n "$sys" ] && [ "$(node_major "$sys")" -ge 22 ]; then return 0; fi
  local bin="$ALARA_TOOLS/node/node_modules/.bin"
  if [ ! -x "$bin/node" ] || [ "$("$bin/node" -p process.versions.node 2>/dev/null)" != "$ALARA_NODE_VERSION" ]; then
    command -v npm >/dev/null || { alara_log "npm is needed to bring Node $ALARA_NODE_VERSION"; return 1; }
    alara_log "Node ${sys:+$("$sys" --version) }is older than 22: installing Node $ALARA_NODE_VERSION into .tools/node"
    mkdir -p "$ALARA_TOOLS/node"
    npm install --prefix "$ALARA_TOOLS/node" --no-audit --no-fund --loglevel=error "node@$ALARA_NODE_VERSION" >&2
  fi
  export PATH="$bin:$PATH"
}

alara_ensure_pnpm() {
  local want="$ALARA_PNPM_VERSION"
  if command -v pnpm >/dev/null && [ "$(pnpm --version 2>/dev/null)" = "$want" ]; then return 0; fi
  local bin="$ALARA_TOOLS/pnpm/node_modules/.bin"
  if [ ! -x "$bin/pnpm" ] || [ "$("$bin/pnpm" --version 2>/dev/null)" != "$want" ]; then
    alara_log "installing pnpm $want into .tools/pnpm"
    mkdir -p "$ALARA_TOOLS/pnpm"
    npm install --prefix "$ALARA_TOOLS/pnpm" --no-audit --no-fund --loglevel=error "pnpm@$want" >&2
  fi
  export PATH="$bin:$PATH"
}

# Install dependencies when the lockfile changed since the last install.
alara_ensure_deps() {
  local stamp="$ALARA_ROOT/node_modules/.alara-install-stamp"
  local want
  want=$(cat "$ALARA_ROOT/pnpm-lock.yaml" "$ALARA_ROOT/package.json" "$ALARA_ROOT"/packages/*/package.json | sha256sum | cut -c1-64)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  alara_log "installing dependencies (pnpm install --frozen-lockfile)"
  (cd "$ALARA_ROOT" && CI=true pnpm install --frozen-lockfile --reporter=append-only >&2)
  echo "$want" >"$stamp"
}

# tsc -b is incremental: a no-op when nothing changed. Then the dashboard's browser bundle
# of @alara/client (esbuild, well under a second).
alara_build() {
  (cd "$ALARA_ROOT" && pnpm exec tsc -b packages/protocol packages/client packages/daemon packages/cli &&
    node packages/daemon/scripts/build-ui.mjs)
}

alara_setup() {
  alara_ensure_node && alara_ensure_pnpm && alara_ensure_deps && alara_build
}
