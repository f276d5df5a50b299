#!/usr/bin/env bash
# `make run`: serves MCP over HTTP. With JustiFi credentials or a base URL configured (in
# the environment or ./.env) it talks to that API; with neither, it starts the bundled
# simulator (justifi-mock) on loopback and says so loudly, so a newcomer sees real tool
# results at once.
set -euo pipefail

build=${1:?usage: run.sh BUILD_DIR HOST PORT}
host=${2:-127.0.0.1}
port=${3:-8080}

configured() {
  [[ -n "${!1:-}" ]] && return 0
  [[ -f .env ]] && grep -Eq "^[[:space:]]*(export[[:space:]]+)?$1=" .env
}

mock_pid=
cleanup() { [[ -n "$mock_pid" ]] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null; true; }
trap cleanup EXIT

if configured JUSTIFI_BASE_URL || configured JUSTIFI_CLIENT_ID; then
  exec "$build/justifi-mcp" --transport http --host "$host" --port "$port"
fi

mock_log=$(mktemp)
"$build/mock/justifi-mock" --host 127.0.0.1 --port 0 2>"$mock_log" &
mock_pid=$!
mock_port=
for _ in $(seq 1 200); do
  mock_port=$(sed -n 's/.*"message":"listening".*"port":\([0-9]*\).*/\1/p' "$mock_log" | head -n1)
  [[ -n "$mock_port" ]] && break
  kill -0 "$mock_pid" 2>/dev/null || { cat "$mock_log" >&2; exit 1; }
  sleep 0.05
done
[[ -n "$mock_port" ]] || { echo "run.sh: the simulator did not start" >&2; cat "$mock_log" >&2; exit 1; }

cat >&2 <<MSG
================================================================================
 No JustiFi credentials or JUSTIFI_BASE_URL configured: using the SIMULATOR
 (justifi-mock, seeded test data) at http://127.0.0.1:$mock_port. Nothing here
 reaches JustiFi. Set JUSTIFI_CLIENT_ID and JUSTIFI_CLIENT_SECRET (environment or
 .env) to use the real API.
 MCP endpoint: http://$host:$port/mcp  (MCP_AUTH=none: local development only)
================================================================================
MSG

# No Auth0 behind the simulator: bearer tokens are left to it (JUSTIFI_OAUTH_VALIDATION=none)
# unless the developer says otherwise.
JUSTIFI_BASE_URL="http://127.0.0.1:$mock_port" \
JUSTIFI_CLIENT_ID=test_client_id JUSTIFI_CLIENT_SECRET=test_client_secret MCP_AUTH=none \
JUSTIFI_OAUTH_VALIDATION="${JUSTIFI_OAUTH_VALIDATION:-none}" \
  "$build/justifi-mcp" --transport http --host "$host" --port "$port" &
server_pid=$!
trap 'kill -TERM "$server_pid" 2>/dev/null' TERM INT
wait "$server_pid" || true
wait "$server_pid" 2>/dev/null || true
