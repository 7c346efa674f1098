#!/usr/bin/env bash
# Installs code-server (a real VS Code 1.100.3, served to a browser) for the editor tests and
# `npm start`, into a cache folder outside the repository, and reuses it when it is already there.
# Prints the code-server binary's path as its last line of output.
#
#   scripts/e2e/setup-code-server.sh            # install if missing, print the binary
#   PACKET_TRACE_CACHE=/some/dir scripts/...    # cache root (default: $HOME/.cache/packet-trace)
#   PACKET_TRACE_NO_APT=1 scripts/...           # never call apt-get
#
# On a fresh Debian/Ubuntu machine it first installs, when they are missing and we are root:
#   apt-get update && apt-get install -y chromium ripgrep libkrb5-dev build-essential python3
# (chromium: the browser the tests drive; ripgrep: seeds @vscode/ripgrep's download, which would
# otherwise ask api.github.com; libkrb5-dev, build-essential, python3: code-server's native modules
# build from source with node-gyp.) Only the npm registry and apt are used; nothing else is
# downloaded. See ../shared/docs/code-server-e2e.md for why each workaround below is needed.
set -euo pipefail

CS_VERSION=4.100.3
RG_CACHE_NAME=vscode-ripgrep-cache-1.15.11
RG_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
CACHE_ROOT="${PACKET_TRACE_CACHE:-${HOME:-/root}/.cache/packet-trace}"
CS_DIR="$CACHE_ROOT/code-server-$CS_VERSION"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"
MARKER="$CS_DIR/.install-complete"

log() { echo "[setup-code-server] $*" >&2; }

# --- system packages (fresh machines, CI; checked even when code-server is cached) -----------------
missing=()
command -v chromium >/dev/null 2>&1 || [[ -x /usr/lib/chromium/chromium ]] || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
if command -v dpkg >/dev/null 2>&1; then
  dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
  dpkg -s build-essential >/dev/null 2>&1 || missing+=(build-essential)
fi
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if ((${#missing[@]})); then
  if [[ "$(id -u)" == 0 && -z "${PACKET_TRACE_NO_APT:-}" ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing missing system packages: ${missing[*]}"
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium ripgrep libkrb5-dev build-essential python3 >&2
  else
    log "missing system packages: ${missing[*]}"
    log "install them with: sudo apt-get install -y chromium ripgrep libkrb5-dev build-essential python3"
  fi
fi

# --- reuse -----------------------------------------------------------------------------------------
if [[ -f "$MARKER" && -x "$CS_BIN" ]]; then
  log "code-server $CS_VERSION already installed in $CS_DIR"
  echo "$CS_BIN"
  exit 0
fi

# --- (a) seed @vscode/ripgrep's download cache (its postinstall would ask api.github.com) ------------
# The cache is looked up under os.tmpdir() (TMPDIR), so ask node where that is.
command -v rg >/dev/null 2>&1 || {
  log "ripgrep (rg) is needed to install code-server offline: apt-get install ripgrep"
  exit 1
}
TMP_ROOT="$(node -p 'require("os").tmpdir()')"
RG_SEED_DIR="$TMP_ROOT/$RG_CACHE_NAME"
RG_PATH="$(readlink -f "$(command -v rg)")"
mkdir -p "$RG_SEED_DIR"
if [[ ! -s "$RG_SEED_DIR/$RG_TARBALL" ]]; then
  log "seeding $RG_SEED_DIR/$RG_TARBALL from $RG_PATH"
  # A single top-level file named rg.
  tmp="$(mktemp -d)"
  cp "$RG_PATH" "$tmp/rg"
  tar -czf "$RG_SEED_DIR/$RG_TARBALL" -C "$tmp" rg
  rm -rf "$tmp"
fi

# --- (b) install into its own folder -----------------------------------------------------------------
log "installing code-server@$CS_VERSION into $CS_DIR (about a minute)"
rm -rf "$CS_DIR"
mkdir -p "$CS_DIR"
echo '{"name":"packet-trace-code-server-host","private":true}' >"$CS_DIR/package.json"
export npm_config_yes=true # node-pty's postinstall runs `npx node-gyp`; yes=false would refuse it
if [[ -z "${npm_config_nodedir:-}" && -d /usr/include/node ]]; then
  export npm_config_nodedir=/usr # Node headers from the distro: node-gyp downloads nothing
fi
start=$(date +%s)
(cd "$CS_DIR" && npm install --unsafe-perm --no-audit --no-fund "code-server@$CS_VERSION" >&2)
XDG_CONFIG_HOME="$CS_DIR/.xdg-config" XDG_DATA_HOME="$CS_DIR/.xdg-data" "$CS_BIN" --version >&2
touch "$MARKER"
log "installed in $(($(date +%s) - start)) s"
echo "$CS_BIN"
