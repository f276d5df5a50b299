#!/usr/bin/env bash
# Median round trip of tools/call list_payments (limit 25) through justifi-mcp against
# justifi-mock, both on loopback: `bench/rtt.sh [BUILD_DIR] [CALLS]`.
set -euo pipefail
build=${1:-build}
calls=${2:-1000}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

port_of() {
  for _ in $(seq 1 200); do
    p=$(sed -n 's/.*"message":"listening".*"port":\([0-9]*\).*/\1/p' "$1" | head -n1)
    [[ -n "$p" ]] && { echo "$p"; return 0; }
    sleep 0.05
  done
  echo "no listening line in $1" >&2; return 1
}

"$build/mock/justifi-mock" --port 0 2>"$work/mock.log" &
pids+=($!)
mock_port=$(port_of "$work/mock.log")
JUSTIFI_BASE_URL="http://127.0.0.1:$mock_port" JUSTIFI_CLIENT_ID=test_client_id \
  JUSTIFI_CLIENT_SECRET=test_client_secret MCP_AUTH=none LOG_LEVEL=info MCP_THREADS="${MCP_THREADS:-}" \
  "$build/justifi-mcp" --transport http --port 0 2>"$work/mcp.log" &
pids+=($!)
mcp_port=$(port_of "$work/mcp.log")
# LOG_LEVEL=info keeps the per-request log line, as in production.
[[ -n "${KEEP_LOGS:-}" ]] && trap 'cp "$work"/*.log /tmp/; cleanup' EXIT
"$build/bench/mcp-rtt" "$mcp_port" "$calls" list_payments '{"limit":25}'
