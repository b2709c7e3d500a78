#!/usr/bin/env bash
# Installs code-server (the real VS Code workbench served to a browser) into .tools/code-server,
# from the pinned package.json + package-lock.json in scripts/tools/. Idempotent: does nothing when
# the installed version and the lockfile match what is recorded in .tools/code-server/.installed.
#
# Why a separate tools folder: code-server's tree is ~300 MB and must never become a dependency of
# the extension (or end up in its VSIX).
#
# Needs: node 20 (code-server 4.100.x refuses other majors), g++/make/python3 (node-pty, kerberos,
# argon2... build from source), pkg-config + libkrb5-dev (kerberos), ripgrep (see below).
#
# Usage: scripts/install-code-server.sh [--force | --check]
# Prints the path of the code-server launcher on its last line.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/scripts/tools"
DEST="$ROOT/.tools/code-server"
VERSION="$(node -p "require('$SRC/package.json').dependencies['code-server']")"
BIN="$DEST/node_modules/code-server/out/node/entry.js"
MARKER="$DEST/.installed"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1
CHECK=0
[[ "${1:-}" == "--check" ]] && CHECK=1  # exit 0 when installed and current, 3 when an install is due

log() { printf '[install-code-server] %s\n' "$*" >&2; }

lock_hash() { cat "$SRC/package.json" "$SRC/package-lock.json" 2>/dev/null | sha256sum | cut -c1-16; }  # contents only: the same in every checkout
want="$VERSION $(lock_hash) node$(node -p 'process.versions.node.split(".")[0]')"

if [[ $CHECK == 1 ]]; then
  [[ -f "$MARKER" && -f "$BIN" && "$(cat "$MARKER")" == "$want" ]] && exit 0
  exit 3
fi

if [[ $FORCE == 0 && -f "$MARKER" && -f "$BIN" && "$(cat "$MARKER")" == "$want" ]]; then
  log "code-server $VERSION already installed in ${DEST#"$ROOT"/}"
  echo "$BIN"
  exit 0
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [[ "$node_major" != 20 ]]; then
  log "code-server $VERSION needs Node.js 20, this is $(node --version)"
  exit 1
fi
for tool in g++ make python3 pkg-config; do
  command -v "$tool" >/dev/null || { log "missing '$tool' (Debian: apt-get install -y build-essential python3 pkg-config libkrb5-dev)"; exit 1; }
done
pkg-config --exists krb5-gssapi 2>/dev/null || { log "missing libkrb5-dev (Debian: apt-get install -y libkrb5-dev)"; exit 1; }
RG="$(command -v rg || true)"
[[ -n "$RG" ]] || { log "missing ripgrep (Debian: apt-get install -y ripgrep)"; exit 1; }

log "installing code-server $VERSION into ${DEST#"$ROOT"/} (a few minutes: native modules build from source)"
rm -rf "$DEST"
mkdir -p "$DEST/tmp"
cp "$SRC/package.json" "$DEST/"
[[ -f "$SRC/package-lock.json" ]] && cp "$SRC/package-lock.json" "$DEST/"

# @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here. It first looks
# for the release tarball in $TMPDIR/vscode-ripgrep-cache-<its version>/; a tarball holding the
# system's rg satisfies it. The package version and ripgrep tag are the ones code-server 4.100.3 pins.
RG_CACHE="$DEST/tmp/vscode-ripgrep-cache-1.15.11"
mkdir -p "$RG_CACHE/stage"
cp "$RG" "$RG_CACHE/stage/rg"
for target in x86_64-unknown-linux-musl aarch64-unknown-linux-musl; do
  tar -C "$RG_CACHE/stage" -czf "$RG_CACHE/ripgrep-v13.0.0-10-$target.tar.gz" rg
done
rm -rf "$RG_CACHE/stage"

export TMPDIR="$DEST/tmp"
# code-server's postinstall refuses root without unsafe-perm; node-pty's build runs `npx node-gyp`,
# which must not stop to ask. Its postinstall runs nested `npm install`s in lib/vscode and
# lib/vscode/extensions whose native modules (node-pty, @parcel/watcher, kerberos, spdlog...) need
# their install scripts: allow them for this tools tree only (the extension's own install does not).
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_dangerously_allow_all_scripts=true
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
export ONNXRUNTIME_NODE_INSTALL=skip
# node-gyp: prefer the system Python (a pyenv shim may point at an interpreter without distutils).
[[ -x /usr/bin/python3 ]] && export npm_config_python=/usr/bin/python3 PYTHON=/usr/bin/python3
cd "$DEST"
if [[ -f package-lock.json ]]; then
  npm ci --no-audit --no-fund >&2
else
  npm install --no-audit --no-fund >&2
  cp package-lock.json "$SRC/package-lock.json"
  log "wrote scripts/tools/package-lock.json (commit it)"
fi

[[ -f "$BIN" ]] || { log "install finished but $BIN is missing"; exit 1; }
[[ -d "$DEST/node_modules/code-server/lib/vscode/node_modules" ]] || { log "code-server's postinstall did not install VS Code's modules"; exit 1; }
rm -rf "$DEST/tmp"
# Recompute: the lockfile may just have been written.
want="$VERSION $(lock_hash) node$node_major"
echo "$want" >"$MARKER"
log "installed code-server $VERSION"
echo "$BIN"
