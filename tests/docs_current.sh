#!/usr/bin/env bash
# Fails when docs/scopes.md is not what the binary generates from its catalog.
set -euo pipefail
binary=${1:?usage: docs_current.sh JUSTIFI_MCP_BINARY}
docs="$(cd "$(dirname "$0")/.." && pwd)/docs/scopes.md"
if ! diff -u "$docs" <("$binary" tools --markdown); then
  echo "docs/scopes.md is stale: regenerate it with '$binary tools --markdown > docs/scopes.md'" >&2
  exit 1
fi
echo "docs/scopes.md matches the catalog"
